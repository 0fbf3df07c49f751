import datetime
from collections import Counter

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Max, Min

from kamrad.clients.generate import Progress
from kamrad.clients.models import Organization
from kamrad.qualification import selectors, services
from kamrad.qualification.models import CandidateDecision


class Command(BaseCommand):
    help = (
        "Evaluate every client against the VIP criteria and print a summary: how many qualify, "
        "how many are candidates waiting for the program head's decision, and how often each "
        "criterion is met. Each client's verdict is stored for the candidates list; only the "
        "verdicts that changed are written. Example: kamrad qualify"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            default=None,
            help="Evaluate as on this date (YYYY-MM-DD); today by default.",
        )
        parser.add_argument(
            "--batch", type=int, default=5000, help="Clients per batch of queries (default 5000)."
        )

    def handle(
        self, *args: object, as_of: datetime.date | None, batch: int, **options: object
    ) -> None:
        if batch < 1:
            raise CommandError("--batch must be at least 1.")
        setup = selectors.load_setup(as_of)
        bounds = Organization.objects.aggregate(first=Min("id"), last=Max("id"))
        total = Organization.objects.count()
        progress = Progress(total, label="qualify", stream=self.stderr._out)
        qualifying = candidates = 0
        decided: Counter[str] = Counter()
        met: Counter[int] = Counter()
        written = 0
        if bounds["first"] is not None:
            for first in range(bounds["first"], bounds["last"] + 1, batch):
                last = first + batch - 1
                verdicts = selectors.verdicts_in_range(first, last, setup)
                written += services.verdicts_store(first, last, setup, verdicts=verdicts)
                for verdict in verdicts.values():
                    for row in verdict.met_criteria:
                        met[row.criterion.pk] += 1
                    if verdict.qualifies:
                        qualifying += 1
                        candidates += verdict.is_candidate
                        if verdict.decision is not None:
                            decided[verdict.decision.outcome] += 1
                progress.advance(Organization.objects.filter(id__gte=first, id__lte=last).count())
        progress.finish("Evaluated")
        self.stdout.write(
            f"As of {setup.periods.as_of.isoformat()}, {total:,} clients; a client qualifies "
            f"meeting at least {setup.needed} of {len(setup.criteria)} criteria."
        )
        for criterion in setup.criteria:
            self.stdout.write(f"  {met[criterion.pk]:>9,}  meet: {criterion.name_en}")
        self.stdout.write(f"Qualify: {qualifying:,}")
        self.stdout.write(f"  candidates (not decided yet): {candidates:,}")
        self.stdout.write(
            f"  admitted: {decided[CandidateDecision.Outcome.ADMITTED]:,}, "
            f"declined: {decided[CandidateDecision.Outcome.DECLINED]:,}"
        )
        self.stdout.write(f"Stored verdicts written: {written:,}")
