"""Walk the URL configuration and tell, for every route, what access decision it declares.

The access-matrix test builds its cases from this walk, so a route added tomorrow is tested
tomorrow without anyone remembering to list it — and a route without a decision fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.regex_helper import normalize
from rest_framework.views import APIView

from kamrad.clients.models import (
    BankAccount,
    Contact,
    ContactPoint,
    DecisionRole,
    DossierEntry,
    Event,
    Industry,
    Organization,
    Product,
    Region,
    Relationship,
)
from kamrad.imports.models import ImportJob
from kamrad.meetings.models import Meeting, MeetingOutcome, Opportunity, WorkItem
from kamrad.program.models import (
    Member,
    Program,
    ProgramClient,
    Proposal,
    ProposalLine,
    Reassignment,
)
from kamrad.pyramid.models import ClientValue, TierMove
from kamrad.qualification.models import AttractionStage, CandidateDecision, Criterion, JudgedMark
from kamrad.questionnaires.models import QualityCheck, Question, Section, Template, TemplateVersion
from kamrad.reminders.models import FeedToken
from kamrad.users.access import Rule
from kamrad.users.models import User
from kamrad.value.models import AccountMonth, Claim, ExchangeRate, Payment, Sale, ServiceCost

# The kind of object a URL parameter or an API collection names, by its model.
MODEL_KEYS: dict[type, str] = {
    Organization: "organization",
    Contact: "contact",
    Event: "event",
    Relationship: "relationship",
    DossierEntry: "dossier_entry",
    Product: "product",
    DecisionRole: "decision_role",
    ContactPoint: "contact_point",
    BankAccount: "bank_account",
    Industry: "industry",
    Region: "region",
    Sale: "sale",
    Payment: "payment",
    Claim: "claim",
    ServiceCost: "service_cost",
    AccountMonth: "account_month",
    ExchangeRate: "exchange_rate",
    ClientValue: "client_value",
    TierMove: "tier_move",
    Criterion: "criterion",
    JudgedMark: "judged_mark",
    CandidateDecision: "candidate_decision",
    AttractionStage: "attraction_stage",
    ImportJob: "import_job",
    Program: "program",
    Member: "member",
    ProgramClient: "program_client",
    Proposal: "proposal",
    ProposalLine: "proposal_line",
    Reassignment: "reassignment",
    Template: "questionnaire",
    Section: "questionnaire_section",
    Question: "question",
    TemplateVersion: "questionnaire_version",
    QualityCheck: "quality_check",
    Meeting: "meeting",
    WorkItem: "work_item",
    Opportunity: "opportunity",
    MeetingOutcome: "meeting_outcome",
    User: "staff_user",
    FeedToken: "feed_token",
}

# Django's own admin decides access itself (is_staff), and static files are public by nature.
SKIPPED_NAMESPACES = frozenset({"admin"})
SKIPPED_VIEW_MODULES = ("django.views.static", "django.contrib.staticfiles.views")

API_DETAIL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
DEFAULT_METHODS = ("GET", "POST")


@dataclass(frozen=True)
class Route:
    """One endpoint of the URL configuration, as the access matrix needs to see it."""

    template: str  # "/clients/%(pk)s/" — fill with `template % values`
    params: tuple[str, ...]
    name: str | None  # "clients:card"
    callback: Callable[..., Any] = field(compare=False, repr=False)
    policy: tuple[Rule, Rule] | None
    api_class: type[APIView] | None = field(compare=False, repr=False)

    @property
    def is_api(self) -> bool:
        return self.api_class is not None

    @property
    def display(self) -> str:
        """The path with its parameters shown as <name>: how a failure names the route."""
        return self.template % {p: f"<{p}>" for p in self.params}

    @property
    def sends_strangers_to_sign_in(self) -> bool:
        """A page (or an API page for browsers, like the docs) redirects a signed-out visitor."""
        return getattr(self.callback, "login_required", True) is not False

    @property
    def is_format_suffix(self) -> bool:
        """DRF's `.json` twin of another route: same view, same decision."""
        return "format" in self.params

    def supported_methods(self) -> frozenset[str] | None:
        """The HTTP methods the view handles, when that can be known without calling it.

        A ViewSet route knows its actions; a class-based view knows its handlers; a plain
        function does not say (None).
        """
        actions = getattr(self.callback, "actions", None)
        if actions:
            return frozenset(m.upper() for m in actions)
        view_class = self.api_class or getattr(self.callback, "view_class", None)
        if view_class is not None:
            return frozenset(
                m.upper() for m in view_class.http_method_names if hasattr(view_class, m)
            )
        return None

    def methods_to_try(self) -> tuple[str, ...]:
        if self.is_api and self.params:
            return API_DETAIL_METHODS
        return DEFAULT_METHODS


def declared_policy(callback: Callable[..., Any]) -> tuple[Rule, Rule] | None:
    """The (read, write) rules a view declares, looking through wrappers and view classes."""
    seen: set[int] = set()
    current: Any = callback
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        found = getattr(current, "access_policy", None)
        if found is not None:
            return found
        for attribute in ("view_class", "cls"):
            view_class = getattr(current, attribute, None)
            found = getattr(view_class, "access_policy", None)
            if found is not None:
                return found
        current = getattr(current, "__wrapped__", None)
    return None


def _api_class(callback: Callable[..., Any]) -> type[APIView] | None:
    view_class = getattr(callback, "cls", None)
    if isinstance(view_class, type) and issubclass(view_class, APIView):
        return view_class
    return None


def _regex_of(entry: URLPattern | URLResolver) -> str:
    return entry.pattern.regex.pattern


def _walk(
    entries: list[Any], prefix: str, params: tuple[str, ...], namespace: str | None
) -> Iterator[Route]:
    for entry in entries:
        # normalize() turns a URL regex into the format string that reverse() fills.
        fmt, found = normalize(_regex_of(entry))[0]
        here, here_params = prefix + fmt, params + tuple(found)
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES or entry.app_name in SKIPPED_NAMESPACES:
                continue
            inner = entry.namespace
            if namespace and inner:
                inner = f"{namespace}:{inner}"
            yield from _walk(entry.url_patterns, here, here_params, inner or namespace)
            continue
        callback = entry.callback
        if callback.__module__.startswith(SKIPPED_VIEW_MODULES):
            continue
        name = entry.name
        if name and namespace:
            name = f"{namespace}:{name}"
        yield Route(
            template="/" + here,
            params=here_params,
            name=name,
            callback=callback,
            policy=declared_policy(callback),
            api_class=_api_class(callback),
        )


def walk_routes(urlconf: str | None = None) -> list[Route]:
    """Every route of the URL configuration except the admin's and static files."""
    resolver = get_resolver(urlconf)
    return list(_walk(resolver.url_patterns, "", (), None))


def undecided_routes(urlconf: str | None = None) -> list[str]:
    """The routes that carry no access decision, named for a failure message."""
    return [
        f"{r.display} ({r.name or r.callback.__qualname__})"
        for r in walk_routes(urlconf)
        if r.policy is None
    ]


# --- Which object a URL parameter names -------------------------------------------------

# A parameter named `contact_pk` names a contact; a bare `pk` names what the path segment before
# it names ("clients/<pk>/" → an organization). The keys are the world's object names.
_COLLECTIONS = {
    "organization": "organization",
    "organizations": "organization",
    "org": "organization",
    "orgs": "organization",
    "client": "organization",
    "clients": "organization",
    "contact": "contact",
    "contacts": "contact",
    "person": "contact",
    "people": "contact",
    "event": "event",
    "events": "event",
    "dates": "event",
    "relationship": "relationship",
    "relationships": "relationship",
    "relation": "relationship",
    "relations": "relationship",
    "dossier": "dossier_entry",
    "dossiers": "dossier_entry",
    "entry": "dossier_entry",
    "entries": "dossier_entry",
    "dossier_entry": "dossier_entry",
    "dossier_entries": "dossier_entry",
    "dossierentry": "dossier_entry",
    "product": "product",
    "products": "product",
    "decision_role": "decision_role",
    "decision_roles": "decision_role",
    "decisionrole": "decision_role",
    "role": "decision_role",
    "roles": "decision_role",
    "contact_point": "contact_point",
    "contact_points": "contact_point",
    "contactpoint": "contact_point",
    "point": "contact_point",
    "points": "contact_point",
    "bank_account": "bank_account",
    "bank_accounts": "bank_account",
    "bankaccount": "bank_account",
    "account": "bank_account",
    "accounts": "bank_account",
    "industry": "industry",
    "industries": "industry",
    "region": "region",
    "regions": "region",
    "sale": "sale",
    "sales": "sale",
    "payment": "payment",
    "payments": "payment",
    "claim": "claim",
    "claims": "claim",
    "service_cost": "service_cost",
    "service_costs": "service_cost",
    "costs_to_serve": "service_cost",
    "account_month": "account_month",
    "account_months": "account_month",
    "exchange_rate": "exchange_rate",
    "exchange_rates": "exchange_rate",
    "rate": "exchange_rate",
    "rates": "exchange_rate",
    "client_value": "client_value",
    "client_values": "client_value",
    "tier_move": "tier_move",
    "tier_moves": "tier_move",
    "criterion": "criterion",
    "criteria": "criterion",
    "judged_mark": "judged_mark",
    "judged_marks": "judged_mark",
    "candidate_decision": "candidate_decision",
    "candidate_decisions": "candidate_decision",
    "attraction_stage": "attraction_stage",
    "attraction_stages": "attraction_stage",
    "verdict": "organization",
    "verdicts": "organization",
    "imports": "import_job",
    "import": "import_job",
    "program": "program",
    "programs": "program",
    "member": "member",
    "members": "member",
    "program_member": "member",
    "program_members": "member",
    "staff": "member",
    "program_client": "program_client",
    "program_clients": "program_client",
    "proposal": "proposal",
    "proposals": "proposal",
    "line": "proposal_line",
    "lines": "proposal_line",
    "proposal_line": "proposal_line",
    "proposal_lines": "proposal_line",
    "reassignment": "reassignment",
    "reassignments": "reassignment",
    "user": "staff_user",
    "users": "staff_user",
    "questionnaire": "questionnaire",
    "questionnaires": "questionnaire",
    "section": "questionnaire_section",
    "sections": "questionnaire_section",
    "question": "question",
    "questions": "question",
    "version": "questionnaire_version",
    "versions": "questionnaire_version",
    "check": "quality_check",
    "checks": "quality_check",
    "quality_check": "quality_check",
    "quality_checks": "quality_check",
    "meeting": "meeting",
    "meetings": "meeting",
    "meeting_outcome": "meeting_outcome",
    "meeting_outcomes": "meeting_outcome",
    "outcome": "meeting_outcome",
    "outcomes": "meeting_outcome",
    "work_item": "work_item",
    "work_items": "work_item",
    "opportunity": "opportunity",
    "opportunities": "opportunity",
    "token": "feed_token",
}

# A person on our side, named by a URL: a worklist is its account manager's own.
PERSONAL = frozenset({"staff_user"})

# Objects that hang off an organization: another manager's is a 404. Products, the
# reference lists (industries, regions), exchange rates and the VIP criteria are everyone's;
# import jobs are the head's; a VIP program, its staff and its proposals belong to no one
# client (a proposal's lines and the reassignments do: each names one).
ORGANIZATION_SCOPED = frozenset(
    set(_COLLECTIONS.values())
    - {"product", "industry", "region", "exchange_rate", "criterion", "import_job", "questionnaire"}
    - {"questionnaire_section", "question", "questionnaire_version", "quality_check"}
    - {"program", "member", "proposal"}
    - {"feed_token"}
    - PERSONAL
)


class UnknownParameter(LookupError):
    """A URL parameter the matrix cannot fill: teach `_COLLECTIONS` what it names."""


def _object_key_for(route: Route, param: str, model_keys: dict[type, str]) -> str:
    if param in {"pk", "id"}:
        queryset = getattr(route.api_class, "queryset", None)
        if queryset is not None and queryset.model in model_keys:
            return model_keys[queryset.model]
        before = route.template.split(f"%({param})s")[0].rstrip("/").split("/")[-1]
        word = before.replace("-", "_").lower()
    else:
        word = re.sub(r"_(pk|id)$", "", param).lower()
    try:
        return _COLLECTIONS[word]
    except KeyError:
        raise UnknownParameter(
            f"{route.display}: cannot tell what <{param}> names; add it to _COLLECTIONS in "
            "tests/urlwalk.py"
        ) from None


def object_keys(route: Route, model_keys: dict[type, str]) -> dict[str, str]:
    """Map each URL parameter (but `format`) to the name of the object it refers to."""
    return {
        param: _object_key_for(route, param, model_keys)
        for param in route.params
        if param != "format"
    }


def names_organization_object(route: Route, model_keys: dict[type, str]) -> bool:
    return any(key in ORGANIZATION_SCOPED for key in object_keys(route, model_keys).values())


def names_anothers_object(route: Route, model_keys: dict[type, str]) -> bool:
    """Does the URL name something that is one account manager's own: an object of their
    client, or the manager themself (their worklist)? Another account manager gets a 404."""
    return any(
        key in ORGANIZATION_SCOPED or key in PERSONAL
        for key in object_keys(route, model_keys).values()
    )
