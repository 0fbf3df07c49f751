"""Kamrad's settings: one file, read from the environment (KAMRAD_*).

With nothing set, Kamrad runs on an SQLite file in var/ with a secret key generated there
on first start. For a team, set KAMRAD_DATABASE_URL to PostgreSQL (see docs/operations.md).
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KAMRAD_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    key = os.environ.get("KAMRAD_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        # Written once, readable by the owner only; every process on this machine shares it.
        # Server workers may start together: each writes a private file and links it into
        # place, so the first link wins and nobody reads a half-written key.
        draft = VAR_DIR / f".secret_key.{os.getpid()}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(64))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("KAMRAD_DEBUG")
ALLOWED_HOSTS = env_list("KAMRAD_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("KAMRAD_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # Kamrad's own apps first: their templates and, above all, their translations take
    # precedence over Django's ("name" is «Название» for an organization, not «Имя»).
    "kamrad.users",
    "kamrad.clients",
    "kamrad.value",
    "kamrad.pyramid",
    "kamrad.qualification",
    "kamrad.program",
    "kamrad.questionnaires",
    "kamrad.meetings",
    "kamrad.reminders",
    "kamrad.reports",
    "kamrad.imports",
    "kamrad.api",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_htmx",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the outcome of authentication for lockouts.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kamrad.urls"
WSGI_APPLICATION = "kamrad.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kamrad.users.context_processors.access",
                "kamrad.reminders.context_processors.reminders",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
_sqlite_path = VAR_DIR / "kamrad.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("KAMRAD_DATABASE_URL") or f"sqlite:///{_sqlite_path}",
        conn_max_age=int(os.environ.get("KAMRAD_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters travel apart from the statement (the server binds them), so a statement a
    # connection runs again is prepared once and its plan kept: on the card and the list that
    # is most of the server's time. KAMRAD_DB_PREPARE_THRESHOLD=0 turns preparing off (a
    # pooler in transaction mode, such as PgBouncer before 1.21, cannot keep them).
    _prepare = int(os.environ.get("KAMRAD_DB_PREPARE_THRESHOLD", "2"))
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": True,
        "prepare_threshold": _prepare if _prepare > 0 else None,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # Writers queue for a lock instead of failing at once, and take it at BEGIN so a
        # read-then-write transaction never dies on an upgrade deadlock.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA cache_size=-64000;"
            "PRAGMA temp_store=MEMORY;"
            "PRAGMA mmap_size=268435456;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users, passwords, sessions, lockout ------------------------------------------------
AUTH_USER_MODEL = "users.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "clients:list"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, reading the signed-in user with a plain statement.
    "kamrad.users.sessions.UserBackend",
]
# Django's database sessions, read with a plain statement.
SESSION_ENGINE = "kamrad.users.sessions"
# A stranger's failed guesses from one address lock that user out from that address only.
AXES_FAILURE_LIMIT = int(os.environ.get("KAMRAD_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("KAMRAD_LOGIN_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("KAMRAD_PROXY_COUNT", "0")) or None

SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie.

# --- HTTPS (production) -----------------------------------------------------------------
HTTPS = env_bool("KAMRAD_HTTPS")
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("KAMRAD_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("KAMRAD_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("KAMRAD_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- Languages --------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
USE_I18N = True
TIME_ZONE = os.environ.get("KAMRAD_TIME_ZONE", "Europe/Moscow")
USE_TZ = True

# --- Static files -----------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# `kamrad serve` collects static files first; with KAMRAD_DEBUG, serve them from the sources.
# (Looking through the source folders on every start costs each test client ~0.1 s.)
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- E-mail -----------------------------------------------------------------------------
# With KAMRAD_EMAIL_HOST unset, a production server (KAMRAD_HTTPS=1) hands mail (reminder
# digests) to the machine's own mail server on port 25, as Django does by default: printing
# it to the console there would lose it silently. Elsewhere (demo, development) it is printed.
if os.environ.get("KAMRAD_EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["KAMRAD_EMAIL_HOST"],
                "port": int(os.environ.get("KAMRAD_EMAIL_PORT", "587")),
                "username": os.environ.get("KAMRAD_EMAIL_USER", ""),
                "password": os.environ.get("KAMRAD_EMAIL_PASSWORD", ""),
                "use_tls": env_bool("KAMRAD_EMAIL_USE_TLS", True),
            },
        }
    }
elif HTTPS:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "localhost", "port": 25},
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("KAMRAD_EMAIL_FROM", "kamrad@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["kamrad.users.access.KamradApiPermission"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kamrad API",
    "DESCRIPTION": (
        "Key-account management: organizations, their contact persons and decision roles, "
        "who on our side knows whom, events and dossiers. The same access rules as the pages: "
        "an account manager sees only the clients assigned to them; a viewer only reads.\n\n"
        "Sign in with a session, or send `Authorization: Token <token>` (POST /api/token/ "
        "with username and password, or `kamrad token USERNAME`). A record that is not yours "
        "answers 404; an id of one in a request body is refused with 400 like an id that does "
        "not exist. Edits of organizations, contacts, relationships, events and products "
        "carry the `version` you read (or `If-Match` with the ETag); a stale one is refused "
        "with 409, a missing one with 400."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `kind`; each choice set gets its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "OrganizationKindEnum": "kamrad.clients.models.Organization.Kind",
        "EventKindEnum": "kamrad.clients.models.Event.Kind",
        "ContactPointKindEnum": "kamrad.clients.models.ContactPoint.Kind",
        "DecisionRoleEnum": "kamrad.clients.models.DecisionRole.Role",
        "ContactStatusEnum": "kamrad.clients.models.Contact.Status",
        "TierEnum": "kamrad.pyramid.models.Tier",
        "TrendEnum": "kamrad.pyramid.models.Trend",
        "RecomputeStatusEnum": "kamrad.pyramid.models.RecomputeRun.Status",
        "CriterionKindEnum": "kamrad.qualification.models.Criterion.Kind",
        "VerdictStatusEnum": "kamrad.qualification.selectors.STATUS_VALUES",
        "ProgramStatusEnum": "kamrad.program.models.Program.Status",
        "ProposalStatusEnum": "kamrad.program.models.Proposal.Status",
        "AssignmentRuleEnum": "kamrad.program.models.Rule",
        "MeetingStatusEnum": "kamrad.meetings.models.Meeting.Status",
        "QuestionKindEnum": "kamrad.questionnaires.models.Question.Kind",
        "SectionPurposeEnum": "kamrad.questionnaires.models.Section.Purpose",
        "QualityCheckKindEnum": "kamrad.questionnaires.models.QualityCheck.Kind",
        "QuestionnaireLanguageEnum": "kamrad.questionnaires.models.Template.Language",
        "MeetingOutcomeKindEnum": "kamrad.meetings.models.MeetingOutcome.Kind",
        "WorkItemStatusEnum": "kamrad.meetings.models.WorkItem.Status",
        "OpportunityStatusEnum": "kamrad.meetings.models.Opportunity.Status",
        "OpportunityKindEnum": "kamrad.meetings.models.Opportunity.Kind",
    },
}

# --- Logging ----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "kamrad.access": {"handlers": ["console"], "level": "WARNING"},
        "axes": {"handlers": ["console"], "level": "WARNING"},
    },
}

# --- Kamrad -----------------------------------------------------------------------------
KAMRAD_PAGE_SIZE = 50

# Work-history sums are kept and shown in this currency; other currencies convert at the
# rate of each record's date (kamrad.value.models.ExchangeRate).
KAMRAD_BASE_CURRENCY = os.environ.get("KAMRAD_BASE_CURRENCY", "RUB").upper()
# Above this many matches the list says "more than N" instead of counting them all.
KAMRAD_COUNT_LIMIT = int(os.environ.get("KAMRAD_COUNT_LIMIT", "1000"))
# The pyramid page's recompute button runs in a thread of the web server; off, it runs while
# the request waits (a single-threaded deployment, or debugging).
KAMRAD_RECOMPUTE_IN_BACKGROUND = env_bool("KAMRAD_RECOMPUTE_IN_BACKGROUND", True)
# A technical work item a meeting opens for a failed quality check is due this many days after it.
KAMRAD_WORK_ITEM_DAYS = int(os.environ.get("KAMRAD_WORK_ITEM_DAYS", "7"))

# Imports: the largest upload accepted, and what an XLSX may hold before it is opened
# (checked against ZIP bombs: parts, unpacked size, compression ratio of any large part).
KAMRAD_IMPORT_MAX_BYTES = int(os.environ.get("KAMRAD_IMPORT_MAX_BYTES", str(200 * 2**20)))
KAMRAD_IMPORT_XLSX_MAX_ENTRIES = 1000
KAMRAD_IMPORT_XLSX_MAX_UNPACKED = int(
    os.environ.get("KAMRAD_IMPORT_XLSX_MAX_UNPACKED", str(1024 * 2**20))
)
KAMRAD_IMPORT_XLSX_MAX_RATIO = 100
# Web imports run in a thread of the web process; tests run them in the request instead.
KAMRAD_IMPORT_BACKGROUND = env_bool("KAMRAD_IMPORT_BACKGROUND", True)
