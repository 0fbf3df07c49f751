"""Each client's sales and costs to serve summed per calendar quarter, kept by triggers.

The pyramid's recompute read every sale (nine sums a row); it now reads these rows and only
the running quarter from the records. The table is created by hand (on SQLite WITHOUT ROWID,
so a client's quarters lie together in its key's order), filled from the records there are,
and triggers on both record tables keep it: see `kamrad/value/totals.py`.
"""

import django.db.models.deletion
from django.db import migrations, models


def _up(apps, schema_editor):
    from kamrad.value import totals

    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        totals.install(cursor, vendor)


def _down(apps, schema_editor):
    from kamrad.value import totals

    with schema_editor.connection.cursor() as cursor:
        for sql in totals.drop_sql(schema_editor.connection.vendor):
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0006_search_words"),
        ("value", "0002_covering_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="QuarterTotal",
                    fields=[
                        (
                            "pk",
                            models.CompositePrimaryKey(
                                "organization",
                                "quarter",
                                blank=True,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("quarter", models.DateField(help_text="The first day of the quarter.")),
                        ("records", models.IntegerField()),
                        ("sales_profit", models.BigIntegerField()),
                        ("cost_to_serve", models.BigIntegerField()),
                        ("last_date", models.DateField()),
                        (
                            "organization",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="clients.organization",
                            ),
                        ),
                    ],
                    options={"db_table": "value_quartertotal"},
                ),
            ],
            database_operations=[migrations.RunPython(_up, _down)],
        ),
    ]
