from django.core.management.base import BaseCommand, CommandError, CommandParser

from kamrad.clients.generate import generate


class Command(BaseCommand):
    help = (
        "Add a large synthetic data set for benchmarks: N organizations with their contact "
        "persons, phones, e-mails, decision roles and some events, written straight into the "
        "database in one transaction (no audit history is written for these rows). "
        "Example: kamrad generate --clients 100000"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--clients", type=int, required=True, help="How many organizations to add."
        )
        parser.add_argument(
            "--contacts-per-client",
            type=int,
            default=3,
            help="Contact persons per organization (default 3).",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed: the same seed, the same data."
        )

    def handle(
        self, *args: object, clients: int, contacts_per_client: int, seed: int, **options: object
    ) -> None:
        if clients < 1:
            raise CommandError("--clients must be at least 1.")
        if not 1 <= contacts_per_client <= 100:
            raise CommandError("--contacts-per-client must be between 1 and 100.")
        result = generate(
            clients=clients,
            contacts_per_client=contacts_per_client,
            seed=seed,
            stream=self.stderr._out,
        )
        self.stdout.write(
            f"Added {result.organizations:,} organizations, {result.contacts:,} contact persons, "
            f"{result.points:,} phones and e-mails, {result.roles:,} decision roles, "
            f"{result.events:,} events in {result.seconds:.1f} s."
        )
