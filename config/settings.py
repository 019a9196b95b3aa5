"""Pactline settings: everything that differs between machines comes from the environment."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_secret, env_str, fernet_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PACTLINE_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env_secret("SECRET_KEY", fallback_file=VAR_DIR / "secret_key")
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Where `pactline serve` listens (its --host/--port override them for one run).
PACTLINE_HOST = env_str("PACTLINE_HOST", "127.0.0.1")
PACTLINE_PORT = env_int("PACTLINE_PORT", 8000)
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{PACTLINE_PORT}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "ninja",
    "django_tasks_db",
    "pactline.common",
    "pactline.tenancy",
    "pactline.audit",
    "pactline.agreements",
    "pactline.workforce",
    "pactline.knowledge",
    "pactline.cases",
    "pactline.channels.voice",
    "pactline.channels.email",
    "pactline.channels.chat",
    "pactline.channels.social",
    "pactline.channels.outbound",
    "pactline.channels.recordings",
    "pactline.metrics",
    "pactline.billing",
    "pactline.reports",
    "pactline.privacy",
    "pactline.web",
]

MIDDLEWARE = [
    # Outermost: every /api/v1 answer is JSON, and an oversized body is a JSON 413.
    "pactline.common.api_errors.ApiJsonErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "pactline.web.account.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After the CSRF check and authentication: it sees the signed-in user.
    "pactline.common.idempotency.IdempotencyMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "pactline.web.context_processors.navigation",
            ],
            # `{% idempotency_key %}` in every state-changing form, without a `{% load %}`.
            "builtins": ["pactline.common.templatetags.idempotency"],
        },
    },
]

_sqlite_path = VAR_DIR / "pactline.sqlite3"
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(_sqlite_path),
            "OPTIONS": {
                # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at
                # BEGIN so concurrent writers queue instead of failing on lock upgrade.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
# django-axes refuses sign-ins once an account or an address has failed too often; it must be
# the first backend. Its standalone backend only checks: ModelBackend still authenticates.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "pactline" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "pactline.web.staticfiles.IncrementalCompressedStaticFiles"},
}
MEDIA_ROOT = Path(env_str("PACTLINE_MEDIA_ROOT", str(VAR_DIR / "media")))

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

_EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
_SMTP_OPTIONS = {
    "host": env_str("EMAIL_HOST", "127.0.0.1"),
    "port": env_int("EMAIL_PORT", 25),
    "username": env_str("EMAIL_HOST_USER", ""),
    "password": env_str("EMAIL_HOST_PASSWORD", ""),
    "use_tls": env_bool("EMAIL_USE_TLS", default=False),
}
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        # Connection options belong to the SMTP backend only; `make demo` prints mail instead.
        "OPTIONS": _SMTP_OPTIONS if _EMAIL_BACKEND.endswith(".smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "pactline@localhost")

# Personal data at rest (see pactline/common/crypto.py): Fernet keys, newest first.
PACTLINE_FIELD_KEYS = env_list("PACTLINE_FIELD_KEYS", []) or [
    env_secret("PACTLINE_FIELD_KEY", fallback_file=VAR_DIR / "field_key", generate=fernet_key)
]
PACTLINE_INDEX_KEY = env_secret("PACTLINE_INDEX_KEY", fallback_file=VAR_DIR / "index_key")
# The audit log's HMAC key (pactline/audit/chain.py): without it no row can be re-chained.
PACTLINE_AUDIT_KEY = env_secret("PACTLINE_AUDIT_KEY", fallback_file=VAR_DIR / "audit_key")

PACTLINE_PROVIDER_NAME = env_str("PACTLINE_PROVIDER_NAME", "Pactline Care Services")

# Rate limits and the client's address (pactline/channels/chat/limits.py,
# pactline/common/http.py). Counts live in the default cache: with several web processes use a
# shared one (e.g. CACHE_BACKEND=django.core.cache.backends.db.DatabaseCache,
# CACHE_LOCATION=pactline_cache, then `pactline createcachetable`).
CACHES = {
    "default": {
        "BACKEND": env_str("CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"),
        "LOCATION": env_str("CACHE_LOCATION", "pactline"),
    }
}
PACTLINE_CHAT_START_LIMIT = {
    "window_seconds": env_int("PACTLINE_CHAT_START_WINDOW_SECONDS", 60),
    "per_address": env_int("PACTLINE_CHAT_START_PER_ADDRESS", 5),  # 0: no limit
    "per_client": env_int("PACTLINE_CHAT_START_PER_CLIENT", 0),  # 0: no client-wide ceiling
}
# Reverse proxies in front of Pactline that append to X-Forwarded-For (0: none, use the peer).
PACTLINE_TRUSTED_PROXIES = env_int("PACTLINE_TRUSTED_PROXIES", 0)

# Sign-in lockout (django-axes): after PACTLINE_SIGNIN_FAILURE_LIMIT failed sign-ins for one
# username, or from one address, further attempts for it are refused for the cool-off period
# (each refused attempt restarts it). Attempts are kept in the database, so every web process
# sees the same counts. The address is the one `remote_address` trusts (see above).
AXES_FAILURE_LIMIT = env_int("PACTLINE_SIGNIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("PACTLINE_SIGNIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: per user AND per address
AXES_CLIENT_IP_CALLABLE = "pactline.common.http.remote_address"
AXES_USERNAME_CALLABLE = "pactline.tenancy.signin.sign_in_username"
AXES_LOCKOUT_CALLABLE = "pactline.web.account.lockout.lockout_response"
AXES_VERBOSE = False

# Two-factor sign-in (django-otp, TOTP). Users with a confirmed authenticator must give a code
# after their password; users holding any role listed here (role codes, comma-separated, e.g.
# "provider_admin,supervisor,client_manager") must set one up before reaching any page.
PACTLINE_2FA_REQUIRED_ROLES = env_list("PACTLINE_2FA_REQUIRED_ROLES", [])
OTP_TOTP_ISSUER = env_str("PACTLINE_2FA_ISSUER", "Pactline")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
