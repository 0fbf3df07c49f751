"""The default VIP questionnaire, in English and Russian: the eight sections of a one-hour
meeting that fit both sides of one A4 sheet.

Plain data (no models), so the migration that installs it and the tests read the same thing.
Question keys are the same in both languages, so results compare across them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Q:
    key: str
    kind: str
    en: str
    ru: str
    unit: tuple[str, str] = ("", "")
    choices: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    hint: tuple[str, str] = ("", "")
    required: bool = False


@dataclass(frozen=True)
class S:
    purpose: str
    minutes: int
    title: tuple[str, str]
    intro: tuple[str, str]
    questions: tuple[Q, ...] = field(default_factory=tuple)


NAMES = {"en": "VIP meeting questionnaire", "ru": "Анкета VIP-встречи"}
DESCRIPTIONS = {
    "en": "One hour with a key client, on both sides of one A4 sheet.",
    "ru": "Один час с ключевым клиентом, на двух сторонах одного листа A4.",
}

SECTIONS: tuple[S, ...] = (
    S(
        "meeting",
        3,
        ("1. The meeting", "1. Встреча"),
        (
            "Who met whom, where and why. Filled in before the meeting.",
            "Кто, с кем, где и зачем встречался. Заполняется до встречи.",
        ),
        (
            Q(
                "meeting_goal",
                "text",
                "What do we want from this meeting?",
                "Чего мы хотим добиться этой встречей?",
                required=True,
            ),
            Q(
                "meeting_format",
                "choice",
                "Format of the meeting",
                "Формат встречи",
                choices=(
                    ("At their office", "At our office", "Business lunch", "Video call"),
                    ("В офисе клиента", "В нашем офисе", "Деловой обед", "Видеозвонок"),
                ),
            ),
        ),
    ),
    S(
        "key_people",
        10,
        ("2. Key people", "2. Ключевые люди"),
        (
            "Who decides, who prepares, who signs, who uses our service — and how to reach them.",
            "Кто принимает решения, кто готовит, кто подписывает, кто пользуется нашей услугой — "
            "и как с ними связаться.",
        ),
        (
            Q(
                "key_people",
                "persons",
                "The client's people responsible for working with us",
                "Люди клиента, отвечающие за работу с нами",
                hint=(
                    "Check each known person; add the new ones; mark who has left.",
                    "Проверьте каждого известного; впишите новых; отметьте ушедших.",
                ),
            ),
            Q(
                "changes_ahead",
                "text",
                "Are changes of people or structure expected this year?",
                "Ожидаются ли в этом году перемены в людях или структуре?",
            ),
        ),
    ),
    S(
        "carnegie",
        12,
        ("3. About the company and about you", "3. О компании и о вас"),
        (
            "Let the client tell the good things: listen, do not sell.",
            "Дайте клиенту рассказать о хорошем: слушайте, не продавайте.",
        ),
        (
            Q(
                "company_start",
                "long_text",
                "How did the company start? What was the first big success?",
                "С чего начиналась компания? Каким был первый большой успех?",
            ),
            Q(
                "company_pride",
                "long_text",
                "What is the company proudest of today?",
                "Чем компания больше всего гордится сегодня?",
            ),
            Q(
                "success_secret",
                "text",
                "What sets you apart from your competitors?",
                "Что отличает вас от конкурентов?",
            ),
            Q(
                "personal_path",
                "long_text",
                "How did you come to this company and to your position?",
                "Как вы пришли в компанию и на свою должность?",
            ),
            Q(
                "plans_excited",
                "text",
                "Which plans for the coming year excite you most?",
                "Какие планы на следующий год вдохновляют вас больше всего?",
            ),
        ),
    ),
    S(
        "cooperation",
        8,
        ("4. Our cooperation today", "4. Наше сотрудничество сегодня"),
        ("", ""),
        (
            Q(
                "satisfaction",
                "rating",
                "How satisfied are you with working with us, from 1 to 5?",
                "Насколько вы довольны работой с нами, от 1 до 5?",
            ),
            Q(
                "cooperation_best",
                "text",
                "What do you value most in working with us?",
                "Что вы больше всего цените в работе с нами?",
            ),
            Q(
                "cooperation_worst",
                "text",
                "What should we do better: billing, support, documents, visits?",
                "Что нам стоит делать лучше: счета, поддержка, документы, визиты?",
            ),
            Q(
                "contract_ends",
                "date",
                "When does the current contract end?",
                "Когда заканчивается действующий договор?",
            ),
            Q(
                "other_providers",
                "yes_no",
                "Do you also use other providers for the same services?",
                "Пользуетесь ли вы услугами других компаний в том же?",
            ),
        ),
    ),
    S(
        "quality",
        10,
        ("5. Quality of our service", "5. Качество нашей услуги"),
        (
            "Measured, not felt: a service is of quality only when every check passes.",
            "Измеряем, а не ощущаем: услуга качественна, только если пройдены все проверки.",
        ),
        (
            Q(
                "quality_checks",
                "quality",
                "Checks of each service the client uses",
                "Проверки каждой услуги, которой пользуется клиент",
                hint=(
                    "Measure during the meeting where you can (a speed test on their network).",
                    "Где можно, измерьте прямо на встрече (тест скорости в их сети).",
                ),
            ),
            Q(
                "support_calls",
                "number",
                "How many times did you call our support last month?",
                "Сколько раз в прошлом месяце вы обращались в нашу поддержку?",
                unit=("calls", "обращений"),
            ),
            Q(
                "quality_other",
                "long_text",
                "Anything else about our service that bothers you?",
                "Что ещё в нашей услуге вас беспокоит?",
            ),
        ),
    ),
    S(
        "expansion",
        7,
        ("6. More of what works", "6. Больше того, что работает"),
        (
            "New offices, more staff, more traffic: where can we grow with the client?",
            "Новые офисы, больше сотрудников, больше трафика: где мы можем расти вместе?",
        ),
        (
            Q(
                "growth_plans",
                "text",
                "New offices, branches or staff planned?",
                "Планируются ли новые офисы, филиалы, сотрудники?",
            ),
            Q(
                "expansion_offers",
                "product_offer",
                "More volume of the services the client already has",
                "Больший объём услуг, которые у клиента уже есть",
            ),
        ),
    ),
    S(
        "new_products",
        6,
        ("7. New products and directions", "7. Новые продукты и направления"),
        ("", ""),
        (
            Q(
                "needs_unmet",
                "text",
                "Which tasks do you solve today without us?",
                "Какие задачи вы сегодня решаете без нас?",
            ),
            Q(
                "new_offers",
                "product_offer",
                "Products and services we offered, and the client's interest",
                "Продукты и услуги, которые мы предложили, и интерес клиента",
            ),
        ),
    ),
    S(
        "referrals",
        4,
        ("8. Recommendations", "8. Рекомендации"),
        (
            "Who among your partners and acquaintances might need what we do?",
            "Кому из ваших партнёров и знакомых может пригодиться то, что мы делаем?",
        ),
        (
            Q(
                "referrals",
                "referrals",
                "Companies and people the client recommends",
                "Компании и люди, которых рекомендует клиент",
                hint=(
                    "Ask whether we may mention the client's name.",
                    "Спросите, можно ли сослаться на клиента.",
                ),
            ),
        ),
    ),
)


def structure(language: str) -> dict[str, Any]:
    """The default questionnaire in one language, in the shape a TemplateVersion keeps."""
    i = 1 if language == "ru" else 0
    return {
        "name": NAMES["ru" if i else "en"],
        "language": "ru" if i else "en",
        "sections": [
            {
                "title": s.title[i],
                "intro": s.intro[i],
                "purpose": s.purpose,
                "minutes": s.minutes,
                "questions": [
                    {
                        "key": q.key,
                        "text": q.ru if i else q.en,
                        "hint": q.hint[i],
                        "kind": q.kind,
                        "unit": q.unit[i],
                        "choices": list(q.choices[i]),
                        "required": q.required,
                    }
                    for q in s.questions
                ],
            }
            for s in SECTIONS
        ],
    }


def install_with(
    template_model: Any, section_model: Any, question_model: Any, version_model: Any
) -> None:
    """Create and publish the default questionnaire for each language that has none (the
    migration passes its historical models; `install()` the current ones)."""
    for language in ("en", "ru"):
        if template_model.objects.filter(language=language).exists():
            continue
        frozen = structure(language)
        template = template_model.objects.create(
            name=frozen["name"],
            language=language,
            description=DESCRIPTIONS[language],
            is_default=True,
        )
        for position, section in enumerate(frozen["sections"]):
            row = section_model.objects.create(
                template=template,
                position=position,
                title=section["title"],
                intro=section["intro"],
                purpose=section["purpose"],
                minutes=section["minutes"],
            )
            for index, q in enumerate(section["questions"]):
                question_model.objects.create(
                    section=row,
                    position=index,
                    key=q["key"],
                    text=q["text"],
                    hint=q["hint"],
                    kind=q["kind"],
                    unit=q["unit"],
                    choices="\n".join(q["choices"]),
                    required=q["required"],
                )
        version_model.objects.create(template=template, number=1, structure=frozen)


def install() -> None:
    """The default questionnaire, where a language has none (after a flushed database, say)."""
    from kamrad.questionnaires.models import Question, Section, Template, TemplateVersion

    install_with(Template, Section, Question, TemplateVersion)
