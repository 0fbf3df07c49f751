"""The default VIP criteria: the bank's rules of seed 002, "at least 3 of these 5".

Installed by a data migration; `install` is also what tests call after a test that empties
the database (a transactional browser test) so the defaults are there again.
"""

from __future__ import annotations

from typing import Any

USD_MILLION = 1_000_000 * 100  # minor units (cents)

CRITERIA = [
    {
        "code": "product_breadth",
        "kind": "measured",
        "name_en": "Uses a wide range of our products",
        "name_ru": "Пользуется широким спектром наших продуктов",
        "help_en": "Bought at least this many distinct product lines in the last 12 months.",
        "help_ru": "Купил за последние 12 месяцев не меньше стольких разных продуктовых линеек.",
        "measures": [{"metric": "product_lines", "count": 3}],
    },
    {
        "code": "volume",
        "kind": "measured",
        "name_en": "Volume above the thresholds",
        "name_ru": "Объёмы выше пороговых",
        "help_en": (
            "Met when any one holds: sales over $5M a year, account turnover over $500k in a "
            "month, exports over $5M a year, or an average daily balance over $100k in a month."
        ),
        "help_ru": (
            "Выполнен, если верно хотя бы одно: продажи свыше 5 млн $ в год, оборот по счёту "
            "свыше 500 тыс. $ в месяц, экспорт свыше 5 млн $ в год или среднедневной остаток "
            "свыше 100 тыс. $ за календарный месяц."
        ),
        "measures": [
            {"metric": "sales_year", "amount_minor": 5 * USD_MILLION, "currency": "USD"},
            {"metric": "turnover_month", "amount_minor": USD_MILLION // 2, "currency": "USD"},
            {"metric": "exports_year", "amount_minor": 5 * USD_MILLION, "currency": "USD"},
            {"metric": "balance_month", "amount_minor": USD_MILLION // 10, "currency": "USD"},
        ],
    },
    {
        "code": "monopoly",
        "kind": "judged",
        "name_en": "Monopoly position in its industry or region",
        "name_ru": "Монопольное положение в отрасли или регионе",
        "help_en": "Judged by the program head or the account manager, with a note why.",
        "help_ru": "Оценивает руководитель программы или менеджер клиента, с пояснением.",
        "measures": [],
    },
    {
        "code": "strategic",
        "kind": "judged",
        "name_en": "Strategically attractive to us",
        "name_ru": "Стратегически привлекателен для нас",
        "help_en": "Judged by the program head or the account manager, with a note why.",
        "help_ru": "Оценивает руководитель программы или менеджер клиента, с пояснением.",
        "measures": [],
    },
    {
        "code": "growth",
        "kind": "measured",
        "name_en": "High growth of its financial figures",
        "name_ru": "Высокие темпы роста финансовых показателей",
        "help_en": (
            "Sales or account turnover of the last 12 months grew by at least this much over "
            "the 12 months before."
        ),
        "help_ru": (
            "Продажи или оборот по счёту за последние 12 месяцев выросли не меньше чем на "
            "столько по сравнению с предыдущими 12 месяцами."
        ),
        "measures": [
            {"metric": "sales_growth", "percent": 20},
            {"metric": "turnover_growth", "percent": 20},
        ],
    },
]


def install(rule_model: Any, criterion_model: Any, measure_model: Any) -> None:
    """Create the rule and each default criterion that is missing (by code); keep the rest.

    Takes the model classes so the data migration can pass its historical models.
    """
    rule_model.objects.get_or_create(pk=1, defaults={"min_met": 3})
    for position, spec in enumerate(CRITERIA, start=1):
        spec = dict(spec)
        measures = spec.pop("measures")
        criterion, created = criterion_model.objects.get_or_create(
            code=spec["code"], defaults={**spec, "position": position * 10}
        )
        if created:
            for i, measure in enumerate(measures, start=1):
                measure_model.objects.create(criterion=criterion, position=i * 10, **measure)


def install_current() -> None:
    from kamrad.qualification.models import Criterion, Measure, QualificationRule

    install(QualificationRule, Criterion, Measure)
