from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from kamrad.clients.demo import LOGINS, load_demo
from kamrad.clients.models import Organization
from kamrad.users.models import Role


class Command(BaseCommand):
    help = (
        "Migrate, load the demo data set when the database has no organizations, print the "
        "demo logins and serve Kamrad at http://127.0.0.1:8000/."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-serve", action="store_true", help="Load and print the logins, do not serve."
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete ALL data in the database (users too) and load the demo set afresh.",
        )

    def handle(self, *args: object, no_serve: bool, reset: bool, **options: object) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if reset:
            self.stdout.write("Deleting all data…")
            call_command("flush", interactive=False, verbosity=0)
        if Organization.objects.exists():
            self.stdout.write(
                "The database has organizations already; the demo set was not loaded "
                "(use --reset to replace everything with it)."
            )
        else:
            summary = load_demo(stdout=self.stdout)
            for username in summary.existing_users:
                self.stdout.write(
                    self.style.WARNING(f"User {username!r} existed already; password unchanged.")
                )
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Sign in with one of these demo logins:"))
        width = max(len(str(Role(login.role).label)) for login in LOGINS)
        for login in LOGINS:
            label = str(Role(login.role).label)
            self.stdout.write(f"  {label:<{width}}  {login.username} / {login.password}")
        self.stdout.write("")
        if no_serve:
            self.stdout.write("Start the server with: kamrad serve  (http://127.0.0.1:8000/)")
            return
        call_command("serve")
