"""The questionnaire on paper: two A4 pages, in English and Russian, blank and pre-filled."""

from __future__ import annotations

import datetime
import io

import pytest
from pypdf import PdfReader

from kamrad.clients import services as client_services
from kamrad.questionnaires import pdf
from kamrad.questionnaires.models import Template
from kamrad.questionnaires.services import version_for_meeting

pytestmark = pytest.mark.django_db


def read(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF")
    return PdfReader(io.BytesIO(data))


def text_of(reader: PdfReader) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def assert_two_a4_pages(reader: PdfReader) -> None:
    assert len(reader.pages) == 2
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - 595.3) < 1 and abs(height - 841.9) < 1


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Key people"), ("ru", "Ключевые люди")],
)
def test_the_blank_questionnaire_is_two_a4_pages(language, expected):
    reader = read(pdf.render_pdf(version_for_meeting(language)))
    assert_two_a4_pages(reader)
    text = text_of(reader)
    assert expected in text
    # The last section, the referrals, is on the back.
    assert ("Recommendations" if language == "en" else "Рекомендации") in reader.pages[
        1
    ].extract_text()


def test_the_russian_one_is_pre_filled_with_the_client_and_its_people(alice, alices_client):
    for number in range(10):  # more people than fit: the rest are counted, not printed
        client_services.contact_create(
            user=alice,
            organization=alices_client,
            data={"full_name": f"Иван Петрович Сидоров {number}", "position": "Главный инженер"},
            roles=["decides"],
            phones=[f"+7 495 100-00-0{number}"],
        )
    reader = read(pdf.render_pdf(version_for_meeting("ru"), organization=alices_client))
    assert_two_a4_pages(reader)
    text = text_of(reader)
    assert "ООО Ромашка" in text
    assert "Иван Петрович Сидоров 0" in text and "Главный инженер" in text
    assert "ещё 2" in text  # eight printed, two more on the card


def test_the_meeting_pdf_is_for_those_who_may_see_the_client(client, alice, bob, alices_client):

    from kamrad.meetings import services
    from kamrad.meetings.tests.conftest import HELD  # noqa: F401

    meeting = services.meeting_plan(
        user=alice,
        organization=alices_client,
        data={
            "starts_at": datetime.datetime(2026, 12, 3, 10, tzinfo=datetime.UTC),
            "place": "Офис",
        },
        language="ru",
    )
    client.force_login(alice)
    response = client.get(f"/meetings/{meeting.pk}/questionnaire.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = read(response.content)
    assert_two_a4_pages(reader)
    assert "ООО Ромашка" in text_of(reader)
    client.force_login(bob)
    assert client.get(f"/meetings/{meeting.pk}/questionnaire.pdf").status_code == 404


def test_the_blank_pdf_of_a_template_and_a_stranger_client(client, alice, bobs_client):
    template = Template.objects.get(language="en", is_default=True)
    client.force_login(alice)
    response = client.get(f"/questionnaires/{template.pk}/pdf/")
    assert response.status_code == 200
    assert_two_a4_pages(read(response.content))
    assert (
        client.get(f"/questionnaires/{template.pk}/pdf/?organization={bobs_client.pk}").status_code
        == 404
    )
