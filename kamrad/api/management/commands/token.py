from django.core.management.base import BaseCommand, CommandError, CommandParser

from kamrad.api.services import token_issue, token_revoke
from kamrad.users.models import User


class Command(BaseCommand):
    help = (
        "Print a user's API token (made on first use). Send it as "
        "'Authorization: Token <token>'. --rotate replaces it, --revoke withdraws it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        action = parser.add_mutually_exclusive_group()
        action.add_argument(
            "--rotate", action="store_true", help="Replace the token; the old one stops working."
        )
        action.add_argument("--revoke", action="store_true", help="Withdraw the token.")

    def handle(self, *args: object, **options: object) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"No user {options['username']!r}.") from None
        if options["revoke"]:
            had = token_revoke(user=user)
            self.stdout.write(
                f"Token of {user.username} withdrawn." if had else f"{user.username} had no token."
            )
            return
        if not user.is_active:
            raise CommandError(f"User {user.username!r} is deactivated; no token for them.")
        self.stdout.write(token_issue(user=user, rotate=bool(options["rotate"])).key)
