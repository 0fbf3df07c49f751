from django.conf import settings
from django.urls import include, path, re_path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from rest_framework.routers import SimpleRouter

from kamrad.api import views
from kamrad.meetings import api as meetings_api
from kamrad.program import api as program_api
from kamrad.pyramid import api as pyramid_api
from kamrad.qualification import api as qualification
from kamrad.questionnaires import api as questionnaires_api
from kamrad.reminders import api as reminders_api
from kamrad.reports import api as reports_api
from kamrad.value import api as value_api

router = SimpleRouter()
router.register("organizations", views.OrganizationViewSet, basename="api-organization")
router.register("contacts", views.ContactViewSet, basename="api-contact")
router.register("decision-roles", views.DecisionRoleViewSet, basename="api-decision-role")
router.register("relationships", views.RelationshipViewSet, basename="api-relationship")
router.register("events", views.EventViewSet, basename="api-event")
router.register("dossier-entries", views.DossierEntryViewSet, basename="api-dossier-entry")
router.register("products", views.ProductViewSet, basename="api-product")
router.register("contact-points", views.ContactPointViewSet, basename="api-contact-point")
router.register("bank-accounts", views.BankAccountViewSet, basename="api-bank-account")
router.register("industries", views.IndustryViewSet, basename="api-industry")
router.register("regions", views.RegionViewSet, basename="api-region")
router.register("sales", value_api.SaleViewSet, basename="api-sale")
router.register("payments", value_api.PaymentViewSet, basename="api-payment")
router.register("claims", value_api.ClaimViewSet, basename="api-claim")
router.register("service-costs", value_api.ServiceCostViewSet, basename="api-service-cost")
router.register("account-months", value_api.AccountMonthViewSet, basename="api-account-month")
router.register("exchange-rates", value_api.ExchangeRateViewSet, basename="api-exchange-rate")
router.register("client-values", pyramid_api.ClientValueViewSet, basename="api-client-value")
router.register("tier-moves", pyramid_api.TierMoveViewSet, basename="api-tier-move")
router.register("criteria", qualification.CriterionViewSet, basename="api-criterion")
router.register("verdicts", qualification.VerdictViewSet, basename="api-verdict")
router.register("judged-marks", qualification.JudgedMarkViewSet, basename="api-judged-mark")
router.register(
    "candidate-decisions", qualification.CandidateDecisionViewSet, basename="api-candidate-decision"
)
router.register(
    "attraction-stages", qualification.AttractionStageViewSet, basename="api-attraction-stage"
)
router.register("programs", program_api.ProgramViewSet, basename="api-program")
router.register("program-members", program_api.MemberViewSet, basename="api-program-member")
router.register("program-clients", program_api.ProgramClientViewSet, basename="api-program-client")
router.register("proposals", program_api.ProposalViewSet, basename="api-proposal")
router.register("proposal-lines", program_api.ProposalLineViewSet, basename="api-proposal-line")
router.register("reassignments", program_api.ReassignmentViewSet, basename="api-reassignment")
for app_api in (questionnaires_api, meetings_api, reminders_api, reports_api):
    app_api.register(router)

# Swagger UI sets a few inline styles as it renders; scripts stay restricted to this server.
docs_view = csp_override({**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]})(
    views.DocsView.as_view()
)
# A browser that is not signed in is sent to the sign-in page, not shown a bare 401.
docs_view.login_required = True

urlpatterns = [
    # Before the router, whose `program-clients/<id>/` would take "add" for an id.
    path(
        "program-clients/add/",
        program_api.ClientsAddView.as_view(),
        name="api-program-clients-add",
    ),
    *questionnaires_api.urlpatterns,
    *meetings_api.urlpatterns,
    *reminders_api.urlpatterns,
    *reports_api.urlpatterns,
    path("", include(router.urls)),
    # Any text where the id goes, as the router's routes take it: not a number is a JSON 404.
    re_path(
        r"^organizations/(?P<id>[^/.]+)/indicators/$",
        value_api.IndicatorsView.as_view(),
        name="api-indicators",
    ),
    path("pyramid/", pyramid_api.PyramidSummaryView.as_view(), name="api-pyramid"),
    path("pyramid/recompute/", pyramid_api.RecomputeView.as_view(), name="api-pyramid-recompute"),
    path("qualification-rule/", qualification.RuleView.as_view(), name="api-qualification-rule"),
    path("token/", views.TokenView.as_view(), name="api-token"),
    path("schema/", views.SchemaView.as_view(), name="api-schema"),
    path("docs/", docs_view, name="api-docs"),
]
