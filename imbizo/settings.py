"""Settings from environment variables only; every one has a safe embedded default.

docs/configuration.md lists each variable. Without any variable set, Imbizo runs
on SQLite under ``var/`` with DEBUG off; ``imbizo demo`` turns DEBUG on for itself.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("IMBIZO_VAR_DIR", BASE_DIR.parent / "var")).resolve()

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    # No shared default key: make a random one for this installation and keep it in var/.
    _key_file = VAR_DIR / "secret_key"
    if not _key_file.exists():
        from django.core.management.utils import get_random_secret_key

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        _key_file.write_text(get_random_secret_key())
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # /api/v1/docs uses its bundled Swagger UI, not a CDN's
    "django_tasks",
    "django_tasks_db",
    "imbizo.api",
    "imbizo.core",
    "imbizo.audit",
    "imbizo.geo",
    "imbizo.accounts",
    "imbizo.cases",
    "imbizo.billing",
    "imbizo.representatives",
    "imbizo.loadshedding",
    "imbizo.facilities",
    "imbizo.matters",
    "imbizo.news",
    "imbizo.community",
    "imbizo.messaging",
    "imbizo.webhooks",
    "imbizo.notifications",
    "imbizo.conversations",
    "imbizo.open311",
    "imbizo.demo",
    "imbizo.web",
    "imbizo.console",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "imbizo.core.csp.CSPMiddleware",  # django-csp's, built once; policy: "Browser security"
    "imbizo.api.limits.BodyLimitMiddleware",
    "imbizo.api.methods.MethodNotAllowedMiddleware",
    "imbizo.api.nul.NulGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "imbizo.console.middleware.ConsoleSessionMiddleware",
    "imbizo.accounts.middleware.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the "try again at" page
]

ROOT_URLCONF = "imbizo.urls"
WSGI_APPLICATION = "imbizo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'imbizo.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue on the busy timeout instead of failing mid-transaction.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    _db["CONN_MAX_AGE"] = 0 if _db["NAME"] == ":memory:" else 600
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, and a statement used twice on a connection is
    # prepared: PostgreSQL then skips parsing and planning it (measured 30-40% off
    # each hot-path query; docs/performance.md). Not for PgBouncer in transaction mode.
    # The engine is Django's with a health check that needs no round trip (core/db).
    _db["ENGINE"] = "imbizo.core.db.postgresql"
    _db["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 2}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, task queue and (later) the channel layer -----------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                                  "CONFIG": {"hosts": [REDIS_URL]}}}
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Security: safe by default, relaxed only under DEBUG ---------------------------
SECURE_HTTPS = env_bool("SECURE_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if SECURE_HTTPS:
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The TLS proxy in front normally redirects http to https; set this when none does.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time -------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("af", "Afrikaans"),
    ("zu", "isiZulu"),
    ("xh", "isiXhosa"),
    ("st", "Sesotho"),
    ("tn", "Setswana"),
    ("nso", "Sepedi"),
    ("ts", "Xitsonga"),
    ("ss", "siSwati"),
    ("ve", "Tshivenda"),
    ("nr", "isiNdebele"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Africa/Johannesburg"
USE_I18N = True
USE_TZ = True
PHONE_DEFAULT_REGION = os.environ.get("PHONE_DEFAULT_REGION", "ZA")

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# --- Imbizo -------------------------------------------------------------------------
# Seconds between checks, in each process, whether another process changed boundaries.
WARD_INDEX_CHECK_SECONDS = float(os.environ.get("WARD_INDEX_CHECK_SECONDS", "30"))
# The same for facilities (facilities/index.py): how soon another process's change is seen.
FACILITY_INDEX_CHECK_SECONDS = float(os.environ.get("FACILITY_INDEX_CHECK_SECONDS", "30"))
# Seconds each process trusts its memo of configuration (categories, routing rules, API
# keys, wards, webhook subscriptions) before checking whether it changed (config_cache.py).
CONFIG_CHECK_SECONDS = float(os.environ.get("CONFIG_CHECK_SECONDS", "1"))
# Work a killed process stranded is resumed by the clock (core/clock.py, core/task_reclaim.py):
# it runs its jobs every CLOCK_SECONDS; a message or webhook attempt overdue by
# REDRIVE_GRACE_SECONDS is enqueued again; a task running for longer than
# TASK_LEASE_SECONDS (twice the longest task, an e-mail's 20 s) has lost its worker and
# runs again. With these defaults stranded work resumes within a minute.
CLOCK_SECONDS = float(os.environ.get("CLOCK_SECONDS", "20"))
REDRIVE_GRACE_SECONDS = float(os.environ.get("REDRIVE_GRACE_SECONDS", "30"))
TASK_LEASE_SECONDS = float(os.environ.get("TASK_LEASE_SECONDS", "40"))
# Messages residents send are handed to the workers by the clock's inbound pump every
# INBOUND_PUMP_SECONDS (conversations/pump.py), and handed out again if not handled
# within INBOUND_LEASE_SECONDS (plus however far the task queue is behind).
INBOUND_PUMP_SECONDS = float(os.environ.get("INBOUND_PUMP_SECONDS", "0.25"))
INBOUND_LEASE_SECONDS = float(os.environ.get("INBOUND_LEASE_SECONDS", "60"))

# --- Channels (docs/channels.md) -----------------------------------------------------
# Credentials and base URLs of the providers. The URLs default to the real services; a
# sandbox or a stand-in on loopback can take their place. With no credentials the
# development provider carries every outbound channel and the simulator shows it.
AFRICASTALKING_USERNAME = os.environ.get("AFRICASTALKING_USERNAME", "")
AFRICASTALKING_API_KEY = os.environ.get("AFRICASTALKING_API_KEY", "")
AFRICASTALKING_API_URL = os.environ.get("AFRICASTALKING_API_URL",
                                        "https://api.africastalking.com").rstrip("/")
AFRICASTALKING_SENDER_ID = os.environ.get("AFRICASTALKING_SENDER_ID", "")
WHATSAPP_VERIFY_TOKEN = os.environ.get("WHATSAPP_VERIFY_TOKEN", "")
WHATSAPP_APP_SECRET = os.environ.get("WHATSAPP_APP_SECRET", "")
WHATSAPP_ACCESS_TOKEN = os.environ.get("WHATSAPP_ACCESS_TOKEN", "")
WHATSAPP_PHONE_NUMBER_ID = os.environ.get("WHATSAPP_PHONE_NUMBER_ID", "")
WHATSAPP_API_URL = os.environ.get("WHATSAPP_API_URL",
                                  "https://graph.facebook.com/v21.0").rstrip("/")
# Approved WhatsApp templates that carry a notification outside the 24-hour window, by
# purpose → the template's name in WhatsApp Manager (docs/channels.md, "WhatsApp").
WHATSAPP_TEMPLATES = {
    "case_update": os.environ.get("WHATSAPP_TEMPLATE_CASE_UPDATE", "imbizo_case_update"),
}
# Load-shedding alerts (docs/loadshedding.md, "Alerts"): minutes before an outage a
# resident following its area is told.
LOADSHEDDING_ALERT_LEAD_MINUTES = int(os.environ.get("LOADSHEDDING_ALERT_LEAD_MINUTES", "60"))
TELEGRAM_BOT_TOKEN = os.environ.get("TELEGRAM_BOT_TOKEN", "")
TELEGRAM_SECRET_TOKEN = os.environ.get("TELEGRAM_SECRET_TOKEN", "")
TELEGRAM_API_URL = os.environ.get("TELEGRAM_API_URL", "https://api.telegram.org").rstrip("/")

# The demo's channel simulator at /simulator/ (staff only): on with DEBUG unless set.
SIMULATOR_ENABLED = env_bool("SIMULATOR_ENABLED", DEBUG)
# Inbound: each plugin's webhook is served at /channels/<key>.
CHANNEL_PLUGINS = {
    "ussd/africastalking": "imbizo.messaging.channels.africastalking.UssdPlugin",
    "ussd/generic": "imbizo.messaging.channels.ussd_latest.LatestInputUssdPlugin",
    "sms/africastalking": "imbizo.messaging.channels.africastalking.SmsPlugin",
    "whatsapp": "imbizo.messaging.channels.whatsapp.WhatsAppPlugin",
    "telegram": "imbizo.messaging.channels.telegram.TelegramPlugin",
    "web": "imbizo.messaging.channels.webchat.WebChatPlugin",  # refuses webhooks: /chat posts
}
# Outbound: which provider carries each channel (docs/messaging.md).
_DEV_PROVIDER = "imbizo.messaging.channels.dev.DevProvider"
MESSAGING_PROVIDERS = {
    "sms": ("imbizo.messaging.channels.africastalking.SmsPlugin"
            if AFRICASTALKING_API_KEY else _DEV_PROVIDER),
    "whatsapp": ("imbizo.messaging.channels.whatsapp.WhatsAppPlugin"
                 if WHATSAPP_ACCESS_TOKEN else _DEV_PROVIDER),
    "telegram": ("imbizo.messaging.channels.telegram.TelegramPlugin"
                 if TELEGRAM_BOT_TOKEN else _DEV_PROVIDER),
    "email": _DEV_PROVIDER,
    "web": "imbizo.messaging.channels.webchat.WebChatPlugin",  # the citizen site's /chat
}
# Seconds an SMTP server may keep a send waiting (Django waits for ever by default): an
# attempt must end well within the outbox's lease on it (messaging.services.SEND_LEASE).
EMAIL_TIMEOUT = 20

# A resolved case closes by itself after this many days without the resident's answer,
# and can be reopened by the resident within the other number of days.
CASE_AUTOCLOSE_DAYS = int(os.environ.get("CASE_AUTOCLOSE_DAYS", "7"))
CASE_REOPEN_DAYS = int(os.environ.get("CASE_REOPEN_DAYS", "14"))
# A ward councillor acknowledges a resident's matter within this many working days
# (docs/matters.md).
MATTERS_ACK_WORKING_DAYS = int(os.environ.get("MATTERS_ACK_WORKING_DAYS", "3"))
# The address residents reach this site at, for the links in their messages (no slash at
# the end): the case feedback page, /r/<token>.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# The key of the hash that stands in for an account holder's ID number (billing/identity.py).
# Set it once and keep it: changing it makes every stored hash unmatchable until the
# accounts are imported again. Empty: SECRET_KEY.
BILLING_ID_HASH_KEY = os.environ.get("BILLING_ID_HASH_KEY", "")

# --- Payments (billing/payments.py; docs/billing.md, "Payments") -------------------
# PayFast: the merchant's credentials, and the passphrase set on its PayFast account.
PAYFAST_MERCHANT_ID = os.environ.get("PAYFAST_MERCHANT_ID", "")
PAYFAST_MERCHANT_KEY = os.environ.get("PAYFAST_MERCHANT_KEY", "")
PAYFAST_PASSPHRASE = os.environ.get("PAYFAST_PASSPHRASE", "")
# https://www.payfast.co.za, or PayFast's own sandbox: https://sandbox.payfast.co.za
PAYFAST_URL = os.environ.get("PAYFAST_URL", "https://www.payfast.co.za").rstrip("/")
# Where ITNs may come from (developers.payfast.co.za/docs, "Ports and IP addresses" and
# step 4 of "Confirm payment"): PayFast's published networks, and the addresses its
# hosts resolve to (looked up only for an address outside the networks, kept 10 minutes).
PAYFAST_VALID_NETWORKS = env_list(
    "PAYFAST_VALID_NETWORKS",
    "197.97.145.144/28,41.74.179.192/27,102.216.36.0/28,102.216.36.128/28,144.126.193.139/32")
PAYFAST_VALID_HOSTS = env_list(
    "PAYFAST_VALID_HOSTS",
    "www.payfast.co.za,w1w.payfast.co.za,w2w.payfast.co.za,sandbox.payfast.co.za")
PAYFAST_TIMEOUT = float(os.environ.get("PAYFAST_TIMEOUT", "10"))  # the validation call
# The provider new payments go to: "payfast", or "sandbox" (Imbizo's own demo page, no
# money moves), the default while no PayFast merchant is configured.
BILLING_PAYMENT_PROVIDER = os.environ.get("BILLING_PAYMENT_PROVIDER",
                                          "payfast" if PAYFAST_MERCHANT_ID else "sandbox")
BILLING_PAYMENT_PROVIDERS = {
    "payfast": "imbizo.billing.providers.payfast.PayFastProvider",
    "sandbox": "imbizo.billing.providers.sandbox.SandboxProvider",
}
# Amounts a resident may pay at once, in rands (PayFast's card minimum is R5 by default).
BILLING_PAYMENT_MIN = os.environ.get("BILLING_PAYMENT_MIN", "5.00")
BILLING_PAYMENT_MAX = os.environ.get("BILLING_PAYMENT_MAX", "100000.00")
# A completed payment no import has matched after this many days is reported.
BILLING_RECONCILE_DAYS = int(os.environ.get("BILLING_RECONCILE_DAYS", "3"))
# Reverse proxies in front of Imbizo (addresses or networks): behind one, a provider's
# address is read from X-Forwarded-For (the last hop no listed proxy added).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")

# Largest photo accepted, in bytes (it is re-encoded and shrunk to 2048 px anyway).
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))

# --- Staff console (imbizo/console; docs/console.md) ------------------------------
# Password, then a TOTP code (django-otp); django-axes counts failures of either.
AUTHENTICATION_BACKENDS = [
    # axes.backends.AxesStandaloneBackend, except that a call without a request (the
    # test client's login, scripts) is not refused: there is no client to lock out.
    "imbizo.console.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
# A username from one address: staff behind one call-centre NAT do not lock each other
# out, and a guessed password is still useless without the TOTP code.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Tries made while locked do not push the end of the lock on: the time we show holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "imbizo.console.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False  # no banner on every command; lockouts are still logged
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Imbizo")
# A console session ends after this many idle seconds, and after CONSOLE_SESSION_MAX_SECONDS
# however busy (SESSION_COOKIE_AGE caps every other session).
CONSOLE_IDLE_SECONDS = int(os.environ.get("CONSOLE_IDLE_SECONDS", str(30 * 60)))
CONSOLE_SESSION_MAX_SECONDS = int(os.environ.get("CONSOLE_SESSION_MAX_SECONDS",
                                                 str(8 * 60 * 60)))

# --- Citizen site (imbizo/web; docs/web.md) ---------------------------------------
# Web Push (the installable web app's notifications): the VAPID pair from
# `imbizo webpush-keys` (`imbizo demo` keeps one in VAR_DIR) and a contact for the push
# services. Without a private key the channel is off.
WEBPUSH_VAPID_PUBLIC_KEY = os.environ.get("WEBPUSH_VAPID_PUBLIC_KEY", "")
WEBPUSH_VAPID_PRIVATE_KEY = os.environ.get("WEBPUSH_VAPID_PRIVATE_KEY", "")
WEBPUSH_VAPID_SUBJECT = os.environ.get("WEBPUSH_VAPID_SUBJECT", "mailto:admin@localhost")
if WEBPUSH_VAPID_PRIVATE_KEY:
    MESSAGING_PROVIDERS["webpush"] = (
        "imbizo.messaging.channels.webpush.provider.WebPushProvider")

# --- Browser security: Content-Security-Policy (django-csp) -----------------------
# Only this site's own files run or style a page: no inline script or style, nothing
# from a CDN (docs/browser-tests.md). Map tiles are the one outside source; a page that
# needs more widens the policy for itself with csp.decorators, documented there.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https://tile.openstreetmap.org"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Cookies go to this site's own pages and forms only; the session cookie never to scripts.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # httpx logs whole URLs at INFO, tokens in a receiver's query string included.
    # WeasyPrint (statement PDFs) logs every step of every render at INFO.
    "loggers": {"httpx": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}
