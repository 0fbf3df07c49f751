"""The verdict section of the client's card: loaded after the card, edited in place."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from kamrad.qualification import services
from kamrad.qualification.models import AttractionStage, CandidateDecision, Criterion, JudgedMark
from kamrad.qualification.tests.conftest import AS_OF, MILLION_RUB, sale

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)):
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def url(name: str, org) -> str:
    return reverse(f"qualification:{name}", args=[org.pk])


def monopoly() -> Criterion:
    return Criterion.objects.get(code="monopoly")


def test_the_card_loads_the_verdict_after_itself_with_a_link_without_javascript(
    client, alice, alices_client
):
    client.force_login(alice)
    card = client.get(reverse("clients:card", args=[alices_client.pk])).text
    assert f'hx-get="{url("verdict", alices_client)}" hx-trigger="load"' in card
    assert f'<a href="{url("verdict", alices_client)}">Show the VIP qualification</a>' in card


def test_the_section_shows_each_criterion_with_its_figures(client, alice, alices_client, usd_rate):
    sale(alices_client, AS_OF, 600 * MILLION_RUB, "Loans")
    client.force_login(alice)
    section = client.get(url("verdict", alices_client), headers=HTMX).text
    assert section.lstrip().startswith('<section id="qualification"')
    assert "<html" not in section
    assert "Volume above the thresholds" in section
    assert "Sales 2025-12..2026-11: 600 000 000.00 RUB ≥ 5 000 000.00 USD" in section
    assert "1 of 5 criteria met, 3 needed" in section
    assert "Does not qualify" in section
    assert "Nobody has judged this yet." in section


def test_without_javascript_the_verdict_is_a_page_of_its_own(client, alice, alices_client):
    client.force_login(alice)
    page = client.get(url("verdict", alices_client)).text
    assert "<html" in page
    assert reverse("clients:card", args=[alices_client.pk]) in page


def test_a_manager_judges_a_criterion_in_place_with_a_note(client, alice, alices_client):
    client.force_login(alice)
    response = client.post(
        url("judged_mark", alices_client),
        {"criterion": monopoly().pk, "met": "yes", "note": "The only port", "version": 0},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "The only port" in response.text
    assert "Alice Adams" in response.text
    mark = JudgedMark.objects.get()
    assert (mark.met, mark.set_by, mark.note) == (True, alice, "The only port")


def test_without_javascript_a_judgement_posts_and_returns_to_the_verdict(
    client, alice, alices_client
):
    client.force_login(alice)
    response = client.post(
        url("judged_mark", alices_client),
        {"criterion": monopoly().pk, "met": "no", "note": "Two rivals", "version": 0},
    )
    assert response.status_code == 302
    assert response["Location"] == url("verdict", alices_client) + f"#criterion-{monopoly().pk}"


def test_a_judgement_without_a_note_shows_the_error_in_the_form(client, alice, alices_client):
    client.force_login(alice)
    response = client.post(
        url("judged_mark", alices_client),
        {"criterion": monopoly().pk, "met": "yes", "note": "", "version": 0},
        headers=HTMX,
    )
    assert response.status_code == 400
    assert "This field is required." in response.text
    assert not JudgedMark.objects.exists()


def test_a_measured_criterion_cannot_be_judged_by_a_post(client, alice, alices_client):
    client.force_login(alice)
    response = client.post(
        url("judged_mark", alices_client),
        {"criterion": Criterion.objects.get(code="volume").pk, "met": "yes", "note": "x"},
    )
    assert response.status_code == 400
    assert not JudgedMark.objects.exists()


def test_a_stale_judgement_is_refused_and_the_users_input_kept(client, alice, head, alices_client):
    services.judged_mark_set(
        user=head,
        organization=alices_client,
        criterion=monopoly(),
        met=False,
        note="The head says no",
        expected_version=0,
    )
    client.force_login(alice)
    response = client.post(
        url("judged_mark", alices_client),
        {"criterion": monopoly().pk, "met": "yes", "note": "Alice says yes", "version": 0},
        headers=HTMX,
    )
    assert response.status_code == 409
    assert "Someone else saved this while you were editing it" in response.text
    assert "The head says no" in response.text  # theirs, shown
    assert "Alice says yes" in response.text  # mine, kept in the form
    assert JudgedMark.objects.get().note == "The head says no"


def test_another_managers_client_is_not_found_and_a_viewer_may_not_write(
    client, alice, viewer, bobs_client
):
    client.force_login(alice)
    assert client.get(url("verdict", bobs_client)).status_code == 404
    assert client.post(url("judged_mark", bobs_client), {}).status_code == 404
    client.force_login(viewer)
    page = client.get(url("verdict", bobs_client), headers=HTMX)
    assert page.status_code == 200
    assert "Judge it" not in page.text
    data = {"criterion": monopoly().pk, "met": "yes", "note": "x", "version": 0}
    assert client.post(url("judged_mark", bobs_client), data).status_code == 403
    assert client.post(url("attraction_stage", bobs_client), {}).status_code == 403
    assert not JudgedMark.objects.exists()


def test_the_checklist_shows_on_a_prospects_card_and_records_a_stage(client, alice):
    from kamrad.clients import services as clients

    prospect = clients.organization_create(
        user=alice, data={"name": "Port of Azov", "kind": "prospect"}
    )
    client.force_login(alice)
    section = client.get(url("verdict", prospect), headers=HTMX).text
    assert "Attraction procedure" in section
    assert "Plan the meeting situation" in section
    response = client.post(
        url("attraction_stage", prospect),
        {"stage": 2, "done_on": "2026-11-20", "notes": "Reception at the expo", "version": 0},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "Reception at the expo" in response.text
    stage = AttractionStage.objects.get()
    assert (stage.stage, stage.done_on, stage.done_by) == (2, datetime.date(2026, 11, 20), alice)

    stale = client.post(
        url("attraction_stage", prospect),
        {"stage": 2, "done_on": "", "notes": "Cancelled", "version": 0},
        headers=HTMX,
    )
    assert stale.status_code == 409
    assert AttractionStage.objects.get().notes == "Reception at the expo"


def test_a_client_that_is_neither_prospect_nor_candidate_has_no_checklist(
    client, alice, alices_client
):
    client.force_login(alice)
    assert "Attraction procedure" not in client.get(url("verdict", alices_client)).text


def test_the_head_decides_on_a_candidate_from_its_card(
    client, head, alice, alices_client, usd_rate
):
    sale(alices_client, datetime.date(2025, 6, 1), 100 * MILLION_RUB)  # the year before
    for line in ("Loans", "Deposits", "Cards"):
        sale(alices_client, AS_OF, 200 * MILLION_RUB, line)
    client.force_login(head)
    section = client.get(url("verdict", alices_client), headers=HTMX).text
    assert "VIP candidate" in section
    assert "Attraction procedure" in section  # a candidate is being attracted
    response = client.post(
        url("decision", alices_client),
        {"outcome": "admitted", "note": "Board approved", "version": 0},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "Admitted to the VIP program" in response.text
    assert CandidateDecision.objects.get().decided_by == head
    client.force_login(alice)
    assert client.post(url("decision", alices_client), {"outcome": "declined"}).status_code == 403


def test_the_section_costs_the_same_queries_however_much_was_recorded(
    client, alice, alices_client, usd_rate, django_assert_max_num_queries
):
    client.force_login(alice)
    with django_assert_max_num_queries(16) as captured:
        client.get(url("verdict", alices_client), headers=HTMX)
    few = len(captured.captured_queries)
    for code in ("monopoly", "strategic"):
        services.judged_mark_set(
            user=alice,
            organization=alices_client,
            criterion=Criterion.objects.get(code=code),
            met=True,
            note="yes",
            expected_version=0,
        )
    for stage in AttractionStage.Stage.values:
        services.attraction_stage_set(
            user=alice,
            organization=alices_client,
            stage=stage,
            done_on=AS_OF,
            expected_version=0,
        )
    for day in range(1, 28):
        sale(alices_client, datetime.date(2026, 10, day), MILLION_RUB, f"Line {day}")
    with django_assert_max_num_queries(few):
        client.get(url("verdict", alices_client), headers=HTMX)


def test_it_renders_the_verdict_in_russian(client, alice, alices_client, usd_rate):
    sale(alices_client, AS_OF, 600 * MILLION_RUB)
    client.force_login(alice)
    client.cookies["django_language"] = "ru"
    page = client.get(url("verdict", alices_client)).text
    assert '<html lang="ru">' in page
    for text in (
        "Квалификация VIP",
        "Объёмы выше пороговых",
        "Продажи 2025-12..2026-11: 600 000 000.00 RUB",
        "Выполнен",
        "Ещё никто не оценил",
    ):
        assert text in page, text
    assert "Volume above the thresholds" not in page
