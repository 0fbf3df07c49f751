import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kamrad.clients.generate import Progress
from kamrad.imports import reading
from kamrad.imports.engine import open_and_map, run_import
from kamrad.imports.kinds import KINDS, check_mapping
from kamrad.imports.services import pyramid_after_import
from kamrad.users.models import Role, User


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX file of one kind: "
        + ", ".join(KINDS)
        + ". Every row is checked; one bad row means nothing is written unless "
        "--good-rows-only is given. Re-importing the same file changes nothing. "
        "Example: kamrad import sales sales.csv --dry-run"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS), help="What the file holds.")
        parser.add_argument("file", type=Path, help="A .csv or .xlsx file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, write nothing."
        )
        parser.add_argument(
            "--good-rows-only",
            action="store_true",
            help="Import the good rows even when some rows are bad.",
        )
        parser.add_argument("--delimiter", default="", help="CSV delimiter (default: sniffed).")
        parser.add_argument("--encoding", default="", help="utf-8 or cp1251 (default: detected).")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help="Map a column to a field (or to - to skip it); repeat as needed.",
        )
        parser.add_argument(
            "--errors", type=Path, help="Write every problem (row, column, reason) to this CSV."
        )
        parser.add_argument(
            "--user", default="", help="Who imports, for the audit history (a user name)."
        )
        parser.add_argument(
            "--no-recompute",
            action="store_true",
            help="Do not recompute the client pyramid afterwards (run `kamrad recompute` later).",
        )

    def handle(self, *args: object, **options: object) -> None:
        kind = KINDS[str(options["kind"])]
        path = Path(str(options["file"]))
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        overrides = {}
        for item in options["map"]:  # type: ignore[attr-defined]
            column, sep, name = str(item).rpartition("=")
            if not sep or not column:
                raise CommandError(f"--map wants COLUMN=FIELD, not {item!r}.")
            overrides[column] = name
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']}.")
        else:
            user = User.objects.filter(role=Role.ADMIN).order_by("id").first()
        try:
            table, mapping = open_and_map(
                kind,
                path,
                encoding=str(options["encoding"]),
                delimiter=str(options["delimiter"]),
                overrides=overrides,
            )
        except reading.FileRefused as error:
            raise CommandError(str(error)) from None
        for index, name in sorted(mapping.items()):
            self.stderr.write(f"  {table.header[index]!r} → {name}")
        problems = check_mapping(kind, mapping)
        if problems:
            raise CommandError(" ".join(problems) + " Use --map COLUMN=FIELD.")
        progress = Progress(table.total, label=f"import {kind.name}", stream=self.stderr._out)
        done = [0]

        def advance(rows: int) -> None:
            progress.advance(rows - done[0])
            done[0] = rows

        errors_path = options["errors"]
        errors_file = open(errors_path, "w", newline="", encoding="utf-8") if errors_path else None  # noqa: SIM115
        try:
            report = run_import(
                kind,
                table,
                mapping,
                user=user,
                dry_run=bool(options["dry_run"]),
                good_rows_only=bool(options["good_rows_only"]),
                source=f"import:{path.name}",
                errors_to=errors_file,
                progress=advance,
            )
        finally:
            if errors_file:
                errors_file.close()
        progress.finish("Read")
        if report.file_error:
            raise CommandError(report.file_error)
        c = report.counts
        for problem in report.problems[:20]:
            self.stderr.write(f"  row {problem.row}, {problem.column}: {problem.reason}")
        if report.problem_count > 20:
            self.stderr.write(f"  … and {report.problem_count - 20:,} more problems")
        verdict = (
            "dry run, nothing written"
            if report.dry_run
            else "written"
            if report.written
            else "NOTHING written: fix the bad rows or use --good-rows-only"
        )
        self.stdout.write(
            f"{kind.name}: {report.rows:,} rows: {c['created']:,} created, "
            f"{c['updated']:,} updated, {c['unchanged']:,} unchanged, "
            f"{c['rejected']:,} rejected — {verdict} ({report.seconds:.1f} s)."
        )
        if report.refused:
            sys.exit(1)
        if options["no_recompute"]:
            return
        run = pyramid_after_import(report=report, user=user)
        if run is not None:
            run.refresh_from_db()
            self.stdout.write(
                f"Client pyramid: {run.changed:,} of {run.clients:,} clients changed "
                f"({(run.finished_at - run.started_at).total_seconds():.1f} s)."
            )
