from __future__ import annotations

import datetime
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from kamrad.clients.generate import Progress
from kamrad.pyramid import services
from kamrad.value import totals


class Command(BaseCommand):
    help = (
        "Recompute every client's LTV, trend and tier in the client pyramid, and record the "
        "tier moves. One recompute runs at a time. Example: kamrad recompute"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--on",
            type=datetime.date.fromisoformat,
            default=None,
            help="As of this day (YYYY-MM-DD); today by default.",
        )
        parser.add_argument(
            "--clients",
            default="",
            help=(
                "Comma-separated ids of the only clients whose records changed since the last "
                "recompute (after an import); all are ranked anew. All clients by default."
            ),
        )
        parser.add_argument(
            "--resum-totals",
            action="store_true",
            help=(
                "First sum every client's quarterly totals again from its records (the "
                "database keeps them as records change; this mends them after writes made "
                "with the triggers off). Then recompute all clients."
            ),
        )

    def handle(
        self,
        *args: object,
        on: datetime.date | None,
        clients: str,
        resum_totals: bool = False,
        **options: object,
    ) -> None:
        try:
            ids = [int(pk) for pk in clients.split(",") if pk.strip()] if clients else None
        except ValueError:
            raise CommandError("--clients takes ids separated by commas.") from None
        if resum_totals:
            if ids is not None:
                raise CommandError("--resum-totals recomputes every client: leave out --clients.")
            started = time.monotonic()
            with transaction.atomic():
                totals.refresh()
            self.stderr.write(
                f"Quarterly totals summed again in {time.monotonic() - started:.1f} s."
            )
        bar: list[Progress] = []

        def progress(done: int, total: int) -> None:
            if not bar:
                bar.append(Progress(total, label="recompute", stream=self.stderr._out))
            bar[0].advance(done - bar[0].done)

        try:
            run = services.pyramid_recompute(
                user=None, on=on, organization_ids=ids, progress=progress
            )
        except services.RecomputeBusy as busy:
            raise CommandError(
                f"A recompute started at {busy.running.started_at:%Y-%m-%d %H:%M} is running."
            ) from None
        if bar:
            bar[0].finish("Recomputed")
        self.stdout.write(
            f"{run.clients:,} clients as of {run.on}: {run.changed:,} rows written, "
            f"{run.moves:,} tier moves."
        )
