import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Kamrad with gunicorn (migrates first). Stateless: run several behind a balancer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("KAMRAD_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("KAMRAD_WORKERS", "2"))
        )
        parser.add_argument("--no-migrate", action="store_true", help="Skip migrating first.")

    def handle(
        self, *args: object, bind: str, workers: int, no_migrate: bool, **options: object
    ) -> None:
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Kamrad at http://{bind}/  (Ctrl-C stops it)")
        sys.stdout.flush()
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        argv = [
            gunicorn,
            "kamrad.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            os.environ.get("KAMRAD_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        os.environ["DJANGO_SETTINGS_MODULE"] = settings.SETTINGS_MODULE
        os.execv(gunicorn, argv)
