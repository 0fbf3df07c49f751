import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kamrad.users.models import Role, User
from kamrad.users.services import user_create


class Command(BaseCommand):
    help = "Create a Kamrad user with a role (program head, account manager, viewer, admin)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", choices=[r.value for r in Role], default=Role.MANAGER)
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--password",
            help="The password (asked for when omitted; beware shell history).",
        )

    def handle(self, *args: object, **options: str) -> None:
        if User.objects.filter(username=options["username"]).exists():
            raise CommandError(f"User {options['username']!r} exists already.")
        password = options["password"] or getpass.getpass("Password: ")
        try:
            user = user_create(
                username=options["username"],
                role=options["role"],
                password=password,
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
            )
        except ValidationError as e:
            raise CommandError("; ".join(e.messages)) from e
        self.stdout.write(f"Created {user.username} ({user.get_role_display()}).")
