"""A VIP meeting in a real browser: alice plans it from the client's card, types in the
questionnaire with a new key person, a failed speed check, an expansion and a referral, reviews
and confirms what it changes — then finds the person on the card, the work item, the
opportunity and the new prospect. A Russian run plans and reviews one in Russian, and a phone
fills in the questionnaire."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from kamrad.clients import services
from kamrad.clients.models import Contact, Organization, Product
from kamrad.meetings import services as meeting_services
from kamrad.meetings.models import Meeting, Opportunity, WorkItem
from kamrad.questionnaires import defaults
from kamrad.questionnaires.models import QualityCheck
from kamrad.users.models import User
from kamrad.value import services as value_services
from tests.browser.test_walk import has_no_horizontal_overflow, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def client_with_internet(alice: User) -> Organization:
    """alice's client, buying our internet service (which has its quality checks), with its
    director on the card."""
    defaults.install()  # a transactional test starts from an empty database
    organization = services.organization_create(user=alice, data={"name": "ООО «Ромашка»"})
    services.contact_create(
        user=alice,
        organization=organization,
        data={"full_name": "Иван Иванов", "position": "Директор"},
        roles=["decides"],
    )
    internet = Product.objects.create(name="Internet 100", is_ours=True, category="Internet")
    QualityCheck.objects.create(
        product=internet,
        position=0,
        text="Speed the client really gets",
        kind=QualityCheck.Kind.AT_LEAST,
        unit="Mbit/s",
        promised="100",
    )
    QualityCheck.objects.create(
        product=internet,
        position=1,
        text="Noticeable outage in the last month",
        kind=QualityCheck.Kind.NO_PASSES,
    )
    value_services.sale_create(
        user=alice,
        organization=organization,
        data={
            "date": timezone.localdate() - datetime.timedelta(days=30),
            "product": internet,
            "quantity": 1,
            "amount": "12000",
            "currency": "RUB",
        },
    )
    return organization


def test_a_meeting_is_planned_recorded_and_yields_everything(
    page: Page,
    live_server: LiveServer,
    alice: User,
    client_with_internet: Organization,
    screenshots: Path,
) -> None:
    organization = client_with_internet
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/clients/{organization.pk}/")
    meetings = page.locator("#meetings")
    meetings.get_by_role("link", name="Plan a meeting").click()
    expect(page.get_by_role("heading", name="Plan a meeting")).to_be_visible()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    page.get_by_label("Date and time").fill(f"{yesterday.isoformat()}T11:00")
    page.get_by_label("Place").fill("Их офис, Тверская 1")
    page.get_by_label("Иван Иванов").check()
    page.get_by_label("Questionnaire language").select_option("en")
    page.screenshot(path=screenshots / "meeting-plan.png", full_page=True)
    page.get_by_role("button", name="Plan the meeting").click()
    expect(page.get_by_text("The meeting is planned.")).to_be_visible()
    page.screenshot(path=screenshots / "meeting.png", full_page=True)

    page.get_by_role("link", name="Fill in the questionnaire").click()
    page.get_by_label("What do we want from this meeting?").fill("Meet the new CFO, check the line")
    new_person = page.locator("fieldset.person-row").filter(has_text="New person").first
    new_person.get_by_label("Full name").fill("Пётр Петров")
    new_person.get_by_label("Position").fill("Финансовый директор")
    new_person.get_by_label("Approves the budget").check()
    new_person.get_by_label("Was at the meeting").check()
    page.get_by_label("What is the company proudest of today?").fill("Четыре филиала за пять лет.")
    page.get_by_label("Measured").first.fill("55")
    page.locator("#q-quality_checks").get_by_label("no").first.check()
    offer = page.locator("#q-expansion_offers fieldset").first
    offer.get_by_label("…or a product or direction").fill("Second line to the warehouse")
    offer.get_by_label("Estimated value").fill("240000")
    offer.get_by_label("Next step").fill("Send the offer")
    referral = page.locator("#q-referrals fieldset").first
    referral.get_by_label("Company").fill("ООО «Лютик»")
    referral.get_by_label("Person").fill("Сергей Сергеев")
    referral.get_by_label("Recommended by").select_option(label="Иван Иванов")
    page.screenshot(path=screenshots / "meeting-questionnaire.png", full_page=True)
    page.get_by_role("button", name="Review the changes").click()

    expect(page.get_by_role("heading", name="Review the changes")).to_be_visible()
    expect(page.get_by_text("New key person: Пётр Петров")).to_be_visible()
    expect(page.get_by_text("measured 55 Mbit/s, promised 100 Mbit/s")).to_be_visible()
    expect(page.get_by_text("New prospect ООО «Лютик»")).to_be_visible()
    page.screenshot(path=screenshots / "meeting-review.png", full_page=True)
    page.get_by_role("button", name="Confirm and record").click()
    expect(page.get_by_text("The meeting is recorded")).to_be_visible()
    outcomes = page.locator("#outcomes")
    expect(outcomes).to_contain_text("Пётр Петров")
    page.screenshot(path=screenshots / "meeting-recorded.png", full_page=True)

    # The new person on the card, with the role.
    page.goto(f"{live_server.url}/clients/{organization.pk}/")
    expect(page.locator("#contacts")).to_contain_text("Пётр Петров")
    expect(page.locator("#contacts")).to_contain_text("Финансовый директор")
    expect(page.locator("#meetings")).to_contain_text("Second line to the warehouse")
    # The work item, for the head until closed.
    page.goto(f"{live_server.url}/meetings/work-items/")
    expect(page.locator("table")).to_contain_text("measured 55")
    page.screenshot(path=screenshots / "meeting-work-items.png", full_page=True)
    # The opportunity and the prospect referred by the client.
    page.goto(f"{live_server.url}/meetings/opportunities/")
    expect(page.locator("table")).to_contain_text("Second line to the warehouse")
    expect(page.locator("table")).to_contain_text("240 000.00")
    prospect = Organization.objects.get(name="ООО «Лютик»")
    page.goto(f"{live_server.url}/clients/{prospect.pk}/")
    expect(page.locator("#meetings")).to_contain_text("Referred by")
    expect(page.locator("#meetings")).to_contain_text("ООО «Ромашка»")

    # The questionnaire results count it; the reminders list the technical work due.
    page.goto(f"{live_server.url}/reports/meetings/?from=2020-01-01&to=2030-12-31")
    expect(
        page.get_by_role("heading", name="Questionnaire results across the program")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text("Internet 100")
    page.screenshot(path=screenshots / "report-meetings.png", full_page=True)
    page.goto(f"{live_server.url}/reminders/")
    expect(page.get_by_role("heading", name="Reminders")).to_be_visible()
    page.screenshot(path=screenshots / "reminders.png", full_page=True)

    meeting = Meeting.objects.get()
    assert meeting.status == Meeting.Status.RECORDED
    assert Contact.objects.filter(full_name="Пётр Петров", organization=organization).exists()
    assert WorkItem.objects.get().measured == "55"
    assert Opportunity.objects.get().estimated_minor == 24_000_000
    assert prospect.kind == Organization.Kind.PROSPECT and prospect.referred_by == organization


def test_a_russian_manager_plans_and_fills_it_on_a_phone(
    page: Page,
    live_server: LiveServer,
    alice: User,
    client_with_internet: Organization,
    screenshots: Path,
) -> None:
    meeting = meeting_services.meeting_plan(
        user=alice,
        organization=client_with_internet,
        data={"starts_at": timezone.now() + datetime.timedelta(days=2), "place": "Офис клиента"},
        language="ru",
    )
    sign_in(page, live_server, "alice")
    page.get_by_role("button", name="RU").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.goto(f"{live_server.url}/meetings/calendar/")
    expect(page.locator(".calendar")).to_contain_text("ООО «Ромашка»")
    page.screenshot(path=screenshots / "meetings-calendar-ru.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/questionnaire/")
    expect(page.get_by_role("heading", name="Анкета: ООО «Ромашка»")).to_be_visible()
    expect(page.get_by_text("Проверки каждой услуги, которой пользуется клиент")).to_be_visible()
    assert has_no_horizontal_overflow(page)
    page.screenshot(path=screenshots / "meeting-questionnaire-phone-ru.png", full_page=True)
    page.get_by_label("Чего мы хотим добиться этой встречей?").fill("Познакомиться")
    page.get_by_role("button", name="Сохранить черновик").click()
    expect(page.get_by_text("Ответы сохранены как черновик.")).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.answers["meeting_goal"] == "Познакомиться"
