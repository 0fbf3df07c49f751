"""The default questionnaire: installed in both languages, eight sections, one hour."""

from __future__ import annotations

import pytest

from kamrad.questionnaires import defaults
from kamrad.questionnaires.models import Section, Template
from kamrad.questionnaires.services import structure_of, template_publish, version_for_meeting

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "ru"])
def test_it_is_installed_and_published_for_each_language(language):
    template = Template.objects.get(language=language, is_default=True)
    version = version_for_meeting(language)
    assert version.template == template and version.number == 1
    # What the migration froze is what the rows say.
    assert version.structure == structure_of(template)
    # Publishing it unchanged makes no new version.
    assert template_publish(user=None, template=template) == version


def test_it_has_the_eight_sections_in_order_summing_to_an_hour():
    purposes = [s.purpose for s in defaults.SECTIONS]
    assert purposes == [
        "meeting",
        "key_people",
        "carnegie",
        "cooperation",
        "quality",
        "expansion",
        "new_products",
        "referrals",
    ]
    assert set(purposes) <= set(Section.Purpose.values)
    assert sum(s.minutes for s in defaults.SECTIONS) == 60


def test_both_languages_share_the_keys_and_translate_every_text():
    en, ru = defaults.structure("en"), defaults.structure("ru")
    keys = [[q["key"] for q in s["questions"]] for s in en["sections"]]
    assert keys == [[q["key"] for q in s["questions"]] for s in ru["sections"]]
    for s_en, s_ru in zip(en["sections"], ru["sections"], strict=True):
        assert s_en["title"] != s_ru["title"]
        for q_en, q_ru in zip(s_en["questions"], s_ru["questions"], strict=True):
            assert q_en["text"] != q_ru["text"]
            assert any("а" <= ch <= "я" for ch in q_ru["text"].lower())


def test_it_asks_what_each_outcome_needs():
    kinds = {q["kind"] for s in defaults.structure("en")["sections"] for q in s["questions"]}
    assert {"persons", "quality", "product_offer", "referrals", "rating", "yes_no", "date"} <= kinds
    carnegie = next(s for s in defaults.SECTIONS if s.purpose == "carnegie")
    assert len(carnegie.questions) >= 4
