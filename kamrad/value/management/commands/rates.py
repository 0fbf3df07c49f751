import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kamrad.clients.generate import Progress
from kamrad.value import services
from kamrad.value.models import AccountMonth, ExchangeRate, Payment, Sale, ServiceCost
from kamrad.value.rates import base_currency


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = (
        "Exchange rates to the base currency. "
        "`kamrad rates list [CURRENCY]` shows them; "
        "`kamrad rates set CURRENCY DATE RATE` sets the rate from DATE on (base units for one "
        "unit of CURRENCY) and recomputes the base amounts it governs; "
        "`kamrad rates rebase [--currency C] [--since DATE]` recomputes every base amount from "
        "the rates known now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="Show the rates, newest first.")
        listing.add_argument("currency", nargs="?", default="")
        setting = sub.add_parser("set", help="Set a rate: CURRENCY DATE RATE.")
        setting.add_argument("currency")
        setting.add_argument("date", type=_date)
        setting.add_argument("rate")
        rebase = sub.add_parser("rebase", help="Recompute base amounts from the known rates.")
        rebase.add_argument("--currency", action="append", default=None)
        rebase.add_argument("--since", type=_date, default=None)

    def handle(self, *args: object, action: str, **options: object) -> None:
        if action == "list":
            self.list_rates(str(options["currency"]))
        elif action == "set":
            self.set_rate(options["currency"], options["date"], options["rate"])  # type: ignore[arg-type]
        else:
            self.rebase_amounts(options["currency"], options["since"])  # type: ignore[arg-type]

    def list_rates(self, currency: str) -> None:
        qs = ExchangeRate.objects.all()
        if currency:
            qs = qs.filter(currency=currency.upper())
        base = base_currency()
        for rate in qs:
            self.stdout.write(f"{rate.currency}  {rate.date.isoformat()}  {rate.rate} {base}")
        if not qs.exists():
            self.stdout.write("No exchange rates.")

    def set_rate(self, currency: str, date: datetime.date, rate: str) -> None:
        try:
            obj, changed = services.rate_set(user=None, currency=currency, date=date, rate=rate)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"{obj.currency} from {obj.date.isoformat()}: {obj.rate} {base_currency()}; "
            f"{changed} records recomputed."
        )

    def rebase_amounts(self, currencies: list[str] | None, since: datetime.date | None) -> None:
        base = base_currency()
        total = 0
        for model in (Sale, Payment, ServiceCost, AccountMonth):
            qs = model.objects.all() if not currencies else model.objects.exclude(currency=base)
            if currencies:
                qs = qs.filter(currency__in=[c.upper() for c in currencies])
            total += qs.count()
        progress = Progress(total, label="rebase", stream=self.stderr._out)
        try:
            changed = services.rebase(
                currencies=[c.upper() for c in currencies] if currencies else None,
                since=since,
                progress=progress.advance,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        progress.finish("Rebased")
        self.stdout.write(f"{changed} records recomputed.")
