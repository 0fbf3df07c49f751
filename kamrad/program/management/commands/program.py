"""`kamrad program propose|confirm|coverage`: the VIP program's split and coverage from a shell.

The command acts as the program's head (or `--as` another head or an administrator), so the
audit trail and the reassignments name a person, as they do from the pages and the API.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count

from kamrad.clients.generate import Progress
from kamrad.clients.services import StaleEdit
from kamrad.lib import csvsafe
from kamrad.program import selectors, services
from kamrad.program.models import Program, Proposal, Rule
from kamrad.users import access
from kamrad.users.models import User


class Command(BaseCommand):
    help = (
        "The VIP program from the command line. `propose` splits the program's clients among "
        "its staff and prints each member's load; `confirm` makes the draft the split (every "
        "client's account manager follows it, each change recorded); `coverage` prints worked "
        "/ in progress / not started per member, tier and region (--format csv for a file). "
        "The running program by default. Example: kamrad program propose"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        common = CommandParser(add_help=False)
        common.add_argument(
            "--program", type=int, help="The program's id; the running one by default."
        )
        common.add_argument(
            "--as",
            dest="acting",
            metavar="USERNAME",
            help="Act as this program head or administrator; the program's head by default.",
        )
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser(
            "propose", parents=[common], help="Propose a split of the program's clients."
        )
        confirm = actions.add_parser(
            "confirm", parents=[common], help="Confirm the draft proposal."
        )
        confirm.add_argument(
            "--proposal", type=int, help="The proposal's id; the program's draft by default."
        )
        coverage = actions.add_parser(
            "coverage", parents=[common], help="Coverage per member, tier and region."
        )
        coverage.add_argument("--format", choices=["text", "csv"], default="text")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        program = self._program(options.get("program"))
        user = self._acting(program, options.get("acting"))
        if action == "propose":
            self._propose(program, user)
        elif action == "confirm":
            self._confirm(program, user, options.get("proposal"))
        else:
            self._coverage(program, user, options.get("format") or "text")

    # --- Who and what -----------------------------------------------------------------------

    def _program(self, program_id: int | None) -> Program:
        if program_id is not None:
            program = Program.objects.filter(pk=program_id).first()
            if program is None:
                raise CommandError(f"There is no program {program_id}.")
            return program
        program = Program.objects.filter(status=Program.Status.RUNNING).first()
        if program is None:
            raise CommandError("No program is running: name one with --program ID.")
        return program

    def _acting(self, program: Program, username: str | None) -> User:
        if username is None:
            return program.head
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"There is no active user {username!r}.")
        if not access.may_assign_managers(user):
            raise CommandError(f"{username} is neither a program head nor an administrator.")
        return user

    def _progress(self, label: str) -> tuple[Callable[[int, int], None], list[Progress]]:
        bar: list[Progress] = []

        def progress(done: int, total: int) -> None:
            if not bar:
                bar.append(Progress(total, label=label, stream=self.stderr._out))
            bar[0].advance(done - bar[0].done)

        return progress, bar

    # --- Actions ----------------------------------------------------------------------------

    def _propose(self, program: Program, user: User) -> None:
        progress, bar = self._progress("propose")
        started = time.perf_counter()
        try:
            proposal = services.proposal_create(user=user, program=program, progress=progress)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        seconds = time.perf_counter() - started
        if bar:
            bar[0].finish("Proposed")
        loads = selectors.member_loads(program, proposal)
        self.stdout.write(
            f"Proposal #{proposal.pk} for {program.name}: {proposal.client_count:,} clients "
            f"among {len(loads)} members."
        )
        self.stdout.write(
            f"  {'member':<30} {'clients':>8} {'hours':>9} {'capacity':>9} {'load':>6}"
        )
        for load in loads:
            percent = "—" if load.percent is None else f"{load.percent}%"
            mark = "  over capacity" if load.over else ""
            self.stdout.write(
                f"  {str(load.member.user)[:30]:<30} {load.clients:>8,} {load.hours:>9,.1f} "
                f"{load.capacity_hours:>9,.1f} {percent:>6}{mark}"
            )
        over = [str(load.member.user) for load in loads if load.over]
        self.stdout.write(f"Over capacity: {', '.join(over) if over else 'nobody'}")
        self.stdout.write("By rule:")
        counts = dict(proposal.lines.values_list("rule").annotate(n=Count("id")).order_by())
        for rule, label in Rule.choices:
            if counts.get(rule):
                self.stdout.write(f"  {counts[rule]:>8,}  {label}")
        problems = services.confirm_problems(proposal)
        if problems:
            self.stdout.write("Before it can be confirmed:")
            for problem in problems:
                self.stdout.write(f"  {problem}")
        self.stdout.write(f"Proposed in {seconds:.2f} s.")

    def _confirm(self, program: Program, user: User, proposal_id: int | None) -> None:
        if proposal_id is not None:
            proposal = Proposal.objects.filter(pk=proposal_id, program=program).first()
            if proposal is None:
                raise CommandError(f"Program {program.pk} has no proposal {proposal_id}.")
        else:
            proposal = selectors.draft_of(program)
            if proposal is None:
                raise CommandError(
                    f"{program.name} has no draft proposal: run `kamrad program propose` first."
                )
        progress, bar = self._progress("confirm")
        try:
            changed = services.proposal_confirm(
                user=user, proposal=proposal, expected_version=proposal.version, progress=progress
            )
        except StaleEdit:
            raise CommandError("The proposal changed while confirming it: run again.") from None
        except ValidationError as error:
            lines = "\n".join(f"  {message}" for message in error.messages)
            raise CommandError(f"Proposal #{proposal.pk} cannot be confirmed:\n{lines}") from None
        if bar:
            bar[0].finish("Confirmed")
        self.stdout.write(
            f"Confirmed proposal #{proposal.pk} for {program.name}: "
            f"{changed:,} clients changed hands."
        )

    def _coverage(self, program: Program, user: User, output: str) -> None:
        found = selectors.coverage(program, user)
        sections = [
            ("member", found.by_member),
            ("tier", found.by_tier),
            ("region", found.by_region),
            ("program", [found.total]),
        ]
        if output == "csv":
            header = ["by", "name", "worked", "in progress", "not started", "total", "worked %"]
            rows = [
                [by, r.label, r.worked, r.in_progress, r.not_started, r.total, r.worked_percent]
                for by, found_rows in sections
                for r in found_rows
            ]
            self.stdout.write(csvsafe.write_csv(rows, header=header).decode("utf-8"), ending="")
            return
        self.stdout.write(f"Coverage of {program.name} as of {services.today().isoformat()}:")
        for by, rows in sections:
            self.stdout.write("")
            self.stdout.write(
                f"  {'by ' + by:<30} {'worked':>8} {'in progress':>12} {'not started':>12} "
                f"{'total':>8} {'worked %':>9}"
            )
            for row in rows:
                self.stdout.write(
                    f"  {row.label[:30]:<30} {row.worked:>8,} {row.in_progress:>12,} "
                    f"{row.not_started:>12,} {row.total:>8,} {row.worked_percent:>8}%"
                )
