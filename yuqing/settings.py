"""One settings module for Yuqing, read from environment variables, SQLite by default."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("YUQING_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _kept_key(env_name: str, file_name: str) -> str:
    # A generated key is kept in the data directory so sessions, encrypted secrets and the audit chain survive
    # restarts; the environment wins when it sets one.
    if os.environ.get(env_name):
        return os.environ[env_name]
    key_file = DATA_DIR / file_name
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _secret_key() -> str:
    return _kept_key("SECRET_KEY", "secret_key")


SECRET_KEY = _secret_key()
# Secrets of external services are encrypted with a key of their own when given, else one derived from SECRET_KEY.
YUQING_ENCRYPTION_KEY = os.environ.get("YUQING_ENCRYPTION_KEY", "")
# The audit chain is keyed (HMAC) with a key of its own outside the database, so write access to the database
# alone cannot recompute the chain; it does not change when SECRET_KEY is rotated. See docs/security.md.
YUQING_AUDIT_KEY = _kept_key("YUQING_AUDIT_KEY", "audit_key")
# Signed lines with the chain's head are appended here on a schedule and, when set, mailed / posted to the bureau.
YUQING_AUDIT_ANCHOR_FILE = Path(os.environ.get("YUQING_AUDIT_ANCHOR_FILE", DATA_DIR / "audit-anchors.log"))
YUQING_AUDIT_ANCHOR_MINUTES = int(os.environ.get("YUQING_AUDIT_ANCHOR_MINUTES", "60"))
YUQING_AUDIT_ANCHOR_EMAIL = [a.strip() for a in os.environ.get("YUQING_AUDIT_ANCHOR_EMAIL", "").split(",") if a.strip()]
YUQING_AUDIT_ANCHOR_WEBHOOK = os.environ.get("YUQING_AUDIT_ANCHOR_WEBHOOK", "")
DEBUG = _env_bool("DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "yuqing.accounts",
    "yuqing.orgs",
    "yuqing.audit",
    "yuqing.system",
    "yuqing.workflow",
    "yuqing.deadlines",
    "yuqing.monitoring",
    "yuqing.detection",
    "yuqing.notify",
    "yuqing.registry",
    "yuqing.publishing",
    "yuqing.search",
    "yuqing.incidents",
    "yuqing.retention",
    "yuqing.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "yuqing.uploads.RequestSizeLimitMiddleware",
    "yuqing.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "yuqing.accounts.middleware.RequireSecondFactorMiddleware",
    "yuqing.orgs.middleware.CurrentOrganizationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# The largest request body accepted at all, refused before it is read (videos for publishing: 200 MB).
YUQING_MAX_REQUEST_BYTES = int(os.environ.get("YUQING_MAX_REQUEST_BYTES", str(210 * 1024 * 1024)))

ROOT_URLCONF = "yuqing.urls"
WSGI_APPLICATION = "yuqing.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yuqing.orgs.context.current_organization",
            ],
            # `label` / `labels` filters turn stored codes into words in every template (yuqing/labels.py)
            "builtins": ["yuqing.labels"],
        },
    }
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "yuqing.sqlite3",
            "OPTIONS": {
                # WAL lets the web process read while the embedded worker writes; IMMEDIATE avoids
                # lock-upgrade deadlocks between the two.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock-out after repeated failures, per user name and address, for a limited time.
AXES_FAILURE_LIMIT = int(os.environ.get("YUQING_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("YUQING_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Password spraying (one password tried over many user names from one address) never trips the per-name limit:
# after failures for this many different user names from one address within the lock-out time, that address
# may not log in until the lock-out time has passed. High enough for a school behind one NAT address.
YUQING_LOGIN_SPRAY_LIMIT = int(os.environ.get("YUQING_LOGIN_SPRAY_LIMIT", "10"))

SESSION_COOKIE_AGE = int(os.environ.get("YUQING_SESSION_HOURS", "8")) * 3600
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_bool("YUQING_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Behind an HTTPS reverse proxy (docs/security.md): cookies only over HTTPS, HSTS, and the proxy's
# X-Forwarded-Proto trusted to tell Django the request came over HTTPS. The proxy must set (not pass on) it.
if SESSION_COOKIE_SECURE:
    SECURE_HSTS_SECONDS = int(os.environ.get("YUQING_HSTS_SECONDS", str(365 * 86400)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("YUQING_HSTS_SUBDOMAINS", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content-Security-Policy (yuqing/csp.py): scripts only from the site itself, no inline scripts or handlers;
# images only from the site (outside images in collected HTML are not loaded when a person opens an item).
YUQING_CSP = os.environ.get("YUQING_CSP", (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"))

LANGUAGE_CODE = os.environ.get("YUQING_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("YUQING_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Static files come from the package itself so nothing needs collecting before the first run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The token class comes first so an unauthenticated call gets 401 with WWW-Authenticate: Bearer.
        "yuqing.accounts.api_auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "yuqing.accounts.api_auth.SecondFactorSatisfied",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "yuqing.apierrors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Yuqing API",
    "DESCRIPTION": "Organisations, audit, collection and detection of Yuqing (舆情).",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema names every endpoint and field; it is for people and integrations that have logged in.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated",
                          "yuqing.accounts.api_auth.SecondFactorSatisfied"],
}

# Background work: with no broker the web process runs due jobs itself (embedded worker).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task whose worker died (kill -9, lost machine) goes back to the queue and runs again; every task is idempotent.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# How long Redis waits for an unacknowledged task before another worker gets it (the kill -9 drill uses 10 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("YUQING_CELERY_VISIBILITY_TIMEOUT", "3600"))}
YUQING_EMBEDDED_WORKER = _env_bool("YUQING_EMBEDDED_WORKER", not CELERY_BROKER_URL)

# The outbound guard (yuqing/outbound.py): non-public destinations every request may reach (comma-separated
# hosts, addresses or networks, optionally :port), and the HTTP(S) proxy for networks without direct access.
YUQING_OUTBOUND_ALLOW = [p.strip() for p in os.environ.get("YUQING_OUTBOUND_ALLOW", "").split(",") if p.strip()]
YUQING_OUTBOUND_PROXY = os.environ.get("YUQING_OUTBOUND_PROXY", "")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "yuqing@localhost")
# The installation's own mail server, for invitation and password links; without EMAIL_HOST the administrator
# hands such links over themselves (alerts use their notification channels' own servers).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 20
# How long an invitation / a password-reset link stays usable.
YUQING_INVITE_HOURS = int(os.environ.get("YUQING_INVITE_HOURS", "72"))
YUQING_RESET_LINK_HOURS = int(os.environ.get("YUQING_RESET_LINK_HOURS", "24"))
# Where people open Yuqing (links in alerts, notices, the demo); empty: the address `yuqing run` serves on.
YUQING_SITE_URL = os.environ.get("YUQING_SITE_URL", "").rstrip("/")

# Logs go to the console at YUQING_LOG_LEVEL and, with YUQING_LOG_FILE, to that file too. Command-line tools
# (everything but `yuqing run` and `yuqing worker`) keep the console for their results: cli.py lowers the
# console to warnings there through YUQING_CONSOLE_LOG_LEVEL.
_LOG_LEVEL = os.environ.get("YUQING_LOG_LEVEL", "INFO").upper()
_LOG_HANDLERS = {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "level": os.environ.get("YUQING_CONSOLE_LOG_LEVEL", _LOG_LEVEL).upper()}}
if os.environ.get("YUQING_LOG_FILE"):
    _LOG_HANDLERS["file"] = {"class": "logging.FileHandler", "formatter": "plain", "level": _LOG_LEVEL,
                             "filename": os.environ["YUQING_LOG_FILE"], "encoding": "utf-8"}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": _LOG_HANDLERS,
    "root": {"handlers": list(_LOG_HANDLERS), "level": _LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
