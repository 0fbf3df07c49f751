"""Reads about meetings, work items and opportunities, always through the access module."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from kamrad.clients.models import Contact, Organization
from kamrad.meetings.models import Meeting, MeetingOutcome, Opportunity, WorkItem
from kamrad.users import access
from kamrad.users.models import User


def meetings_visible_to(user: User) -> QuerySet[Meeting]:
    return access.scope(Meeting.objects.all(), user, "organization")


def work_items_visible_to(user: User) -> QuerySet[WorkItem]:
    return access.scope(WorkItem.objects.all(), user, "organization")


def opportunities_visible_to(user: User) -> QuerySet[Opportunity]:
    return access.scope(Opportunity.objects.all(), user, "organization")


def meeting_list(
    user: User, *, when: str = "upcoming", status: str = "", mine: bool = False
) -> QuerySet[Meeting]:
    meetings = (
        meetings_visible_to(user)
        .select_related("organization")
        .prefetch_related(
            "our_people", Prefetch("their_people", queryset=Contact.objects.order_by("full_name"))
        )
    )
    now = timezone.now()
    if when == "upcoming":
        meetings = meetings.filter(starts_at__gte=now - datetime.timedelta(hours=12)).order_by(
            "starts_at", "id"
        )
    elif when == "past":
        meetings = meetings.filter(starts_at__lt=now).order_by("-starts_at", "-id")
    else:
        meetings = meetings.order_by("-starts_at", "-id")
    if status:
        meetings = meetings.filter(status=status)
    if mine:
        meetings = meetings.filter(our_people=user)
    return meetings


def meeting_for_page(user: User, pk: int, *, write: bool = False) -> Meeting:
    return access.get_visible_or_404(
        Meeting.objects.select_related(
            "organization",
            "organization__account_manager",
            "questionnaire__template",
            "program_client",
        ).prefetch_related("our_people", "their_people"),
        user,
        "organization",
        write=write,
        pk=pk,
    )


def outcomes_of(meeting: Meeting) -> list[MeetingOutcome]:
    return list(meeting.outcomes.select_related("contact", "target_organization").order_by("id"))


@dataclass
class Day:
    date: datetime.date
    in_month: bool
    meetings: list[Meeting] = field(default_factory=list)
    due: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def is_today(self) -> bool:
        return self.date == timezone.localdate()


def month_grid(viewer: User, member: User, month: datetime.date) -> list[list[Day]]:
    """The month's weeks (Monday first) with the member's meetings, work items due and
    opportunities' next steps on their days, as far as the viewer may see them."""
    first = month.replace(day=1)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    start, end = weeks[0][0], weeks[-1][-1]
    days = {d: Day(d, d.month == first.month) for week in weeks for d in week}
    tz = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tz)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tz)
    meetings = (
        meetings_visible_to(viewer)
        .filter(our_people=member, starts_at__gte=low, starts_at__lt=high)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("organization")
        .order_by("starts_at")
    )
    for meeting in meetings:
        days[timezone.localdate(meeting.starts_at)].meetings.append(meeting)
    items = (
        work_items_visible_to(viewer)
        .filter(assigned_to=member, due_on__range=(start, end))
        .exclude(status=WorkItem.Status.CLOSED)
        .select_related("organization")
    )
    for item in items:
        days[item.due_on].due.append(("work_item", item))
    opportunities = (
        opportunities_visible_to(viewer)
        .filter(owner=member, next_step_on__range=(start, end), status=Opportunity.Status.OPEN)
        .select_related("organization", "product")
    )
    for opportunity in opportunities:
        days[opportunity.next_step_on].due.append(("opportunity", opportunity))
    return [[days[d] for d in week] for week in weeks]


@dataclass
class ClientMeetings:
    upcoming: list[Meeting]
    recent: list[Meeting]
    work_items: list[WorkItem]
    opportunities: list[Opportunity]
    referrals: list[Organization]


def for_client(organization: Organization) -> ClientMeetings:
    """The card's meetings section: what is planned, what was held, what it left open."""
    meetings = list(
        organization.meetings.exclude(status=Meeting.Status.CANCELLED)
        .prefetch_related("our_people")
        .order_by("-starts_at")[:20]
    )
    now = timezone.now()
    return ClientMeetings(
        upcoming=sorted(
            (m for m in meetings if m.status == Meeting.Status.PLANNED and m.starts_at >= now),
            key=lambda m: m.starts_at,
        ),
        recent=[
            m for m in meetings if not (m.status == Meeting.Status.PLANNED and m.starts_at >= now)
        ][:8],
        work_items=list(
            organization.work_items.exclude(status=WorkItem.Status.CLOSED).select_related(
                "product", "assigned_to"
            )
        ),
        opportunities=list(
            organization.opportunities.filter(status=Opportunity.Status.OPEN).select_related(
                "product", "owner"
            )
        ),
        referrals=list(
            organization.referrals.select_related("referred_by_contact").order_by("name")
        ),
    )
