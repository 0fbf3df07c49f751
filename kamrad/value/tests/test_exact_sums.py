"""A million amounts sum to the kopeck on the database: integer columns, never floats."""

import datetime
import io
import random

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from kamrad.value import totals as value_totals
from kamrad.value.models import QuarterTotal, Sale

ROWS = 1_000_000


@pytest.mark.django_db
def test_the_database_sums_a_million_amounts_exactly_to_the_kopeck(alices_client):
    rng = random.Random(7)
    # Up to ten billion roubles each, kopecks included: the total is far beyond what a
    # double can hold exactly (2**53), so a float anywhere on the way would show.
    amounts = [rng.randint(1, 10**12) for _ in range(ROWS)]
    now = timezone.now()
    day = datetime.date(2025, 1, 15)
    org = alices_client.pk
    columns = (
        "version, created_at, updated_at, organization_id, external_id, source, date, "
        "product_line, description, quantity, currency, amount_minor, cost_minor, "
        "amount_base, cost_base"
    )
    # A bulk writer: the quarterly totals are summed once at the end, not row by row.
    with transaction.atomic(), value_totals.bulk({(org, day)}), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # PostgreSQL's bulk path is COPY; executemany row by row would take minutes.
            buffer = io.StringIO()
            for amount in amounts:
                buffer.write(
                    f"1\t{now.isoformat()}\t{now.isoformat()}\t{org}\t\tbulk\t{day}\t\t\t1\tRUB"
                    f"\t{amount}\t0\t{amount}\t0\n"
                )
            raw = cursor.cursor
            with raw.copy(f"COPY value_sale ({columns}) FROM STDIN") as copy:
                copy.write(buffer.getvalue())
        else:
            # The driver's own executemany, past Django's per-row parameter adaptation.
            stamp = now.isoformat(" ")
            cursor.connection.executemany(
                f"INSERT INTO value_sale ({columns}) VALUES "
                f"(1, '{stamp}', '{stamp}', {org}, '', 'bulk', '{day}', '', '', 1, 'RUB', "
                "?, 0, ?, 0)",
                ((amount, amount) for amount in amounts),
            )
    expected = sum(amounts)
    assert expected > 2**53
    totals = Sale.objects.filter(organization=alices_client).aggregate(
        minor=Sum("amount_minor"), base=Sum("amount_base")
    )
    assert totals == {"minor": expected, "base": expected}
    assert isinstance(totals["minor"], int)
    # The quarterly totals the database keeps sum them as exactly.
    assert value_totals.settle() == 1
    kept = QuarterTotal.objects.get(organization=alices_client)
    assert (kept.quarter, kept.records, kept.sales_profit) == (
        datetime.date(2025, 1, 1),
        ROWS,
        expected,
    )
