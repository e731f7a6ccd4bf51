"""Settings for the billing configuration project.

Every setting that differs between machines comes from the environment, read
here and nowhere else. The defaults are the safe ones: no debug, no hosts, no
secret key (Django refuses to sign anything until one is given). `make run`
sets development values for itself.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = env_flag("DJANGO_DEBUG")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no row lock: publishes (and every other write) are serialised by
    # taking the database's write lock when a transaction begins, and a writer
    # waits up to `timeout` seconds for it. Deferred transactions that read first
    # and write later fail at once with "database is locked" when two meet.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        **DATABASES["default"].get("OPTIONS", {}),
    }

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "billingcfg",
    "plans",
    "rates",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside development each app server serves the collected static files itself
    # (admin, Swagger UI): no separate web server needed. runserver serves them in development.
    *([] if DEBUG else ["whitenoise.middleware.WhiteNoiseMiddleware"]),
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "billingcfg.urls"
WSGI_APPLICATION = "billingcfg.wsgi.application"
ASGI_APPLICATION = "billingcfg.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Lists show 1,000,000 per units, not 1000000. Form inputs are not localized.
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Outside development: hashed, compressed names from `collectstatic`, cached for ever by browsers.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# HTTPS. Behind a load balancer that terminates TLS, DJANGO_BEHIND_TLS_PROXY=1
# trusts its X-Forwarded-Proto and X-Forwarded-For (DJANGO_TRUSTED_PROXIES hops).
BEHIND_TLS_PROXY = env_flag("DJANGO_BEHIND_TLS_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
TRUSTED_PROXIES = int(os.environ.get("DJANGO_TRUSTED_PROXIES") or (1 if BEHIND_TLS_PROXY else 0))
SESSION_COOKIE_SECURE = env_flag("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_flag("DJANGO_SSL_REDIRECT", default=not DEBUG)
# The load balancer's health check may call plain HTTP; it gets a 301 like anyone else unless exempted.
SECURE_REDIRECT_EXEMPT = env_list("DJANGO_SSL_REDIRECT_EXEMPT")
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS") or (0 if DEBUG else 31536000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_flag("DJANGO_HSTS_PRELOAD")
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy on every page: scripts and styles only from this site
# or carrying the request's nonce ({% csp_nonce_attr %}); no plugins, no framing.
# Swagger UI's stylesheet draws its icons as data: images.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# The admin login: after this many failed attempts for one username (or four
# times as many from one address) within the window, further attempts are
# refused, right password or not, until the window ends. Counted in the shared cache.
ADMIN_LOGIN_FAILURES = int(os.environ.get("DJANGO_LOGIN_FAILURES", "5"))
ADMIN_LOGIN_WINDOW_SECONDS = int(os.environ.get("DJANGO_LOGIN_WINDOW_SECONDS", "900"))
# The API's keys: after this many failed key checks (malformed, unknown or revoked)
# from one client address within the window, every API key from it is answered
# 429 unchecked until the window ends. Counted in the shared cache.
API_KEY_FAILURES = int(os.environ.get("DJANGO_API_KEY_FAILURES", "30"))
API_KEY_WINDOW_SECONDS = int(os.environ.get("DJANGO_API_KEY_WINDOW_SECONDS", "300"))

# The cache is shared by every app server: API throttling counts per key across
# all of them. Redis when DJANGO_CACHE_URL names one (redis://host:6379/0),
# otherwise a table in the database every server already shares (`migrate` makes it:
# billingcfg.core.cache_table).
CACHE_URL = os.environ.get("DJANGO_CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL == "locmem":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif CACHE_URL:
    raise ValueError(f"DJANGO_CACHE_URL must be redis://…, rediss://…, unix://… or locmem, not {CACHE_URL!r}")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "billingcfg_cache"}}

# How long an app server may answer from what it last read of the release in
# force and of an API key (a publish, a newly due release or a revocation made
# on another server is seen within this many seconds; 0: read on every request).
RELEASE_CHECK_SECONDS = float(os.environ.get("RELEASE_CHECK_SECONDS", "1"))
# How far ahead a release may be scheduled, in days (a typo'd year is refused, not kept for decades).
RELEASE_HORIZON_DAYS = int(os.environ.get("DJANGO_RELEASE_HORIZON_DAYS", "730"))
# A provider cost read longer ago than this is flagged as stale (dashboard, Publish page).
COST_STALE_DAYS = int(os.environ.get("DJANGO_COST_STALE_DAYS", "90"))

# Spreadsheets and price lists: the largest file an import accepts, in bytes
# (a 20,000-row sheet is about 2 MB as XLSX, LiteLLM's price list about 1.5 MB).
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
# The most rows a sheet may have (its last row's number, headers included). A sheet's size
# (rows × columns, as its file declares it or as read) above this many rows of its table's
# columns is refused before its cells are read: a few KB of XLSX can declare billions of cells.
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "100000"))
# A price list's move of a provider cost by more than this share of it (0.5: ±50 %), or to
# zero, is held back until someone confirms that row; a decimal written as text.
PRICE_LIST_HOLD_SHARE = os.environ.get("DJANGO_PRICE_LIST_HOLD_SHARE", "0.5")
# django-import-export: importing needs the change permission, exporting the view permission.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Every imported row's history records who imported it and from which file; no admin log entry per row.
IMPORT_EXPORT_SKIP_ADMIN_LOG = True
# The file waits between preview and confirm in the cache every app server shares.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "billingcfg.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["billingcfg.api.permissions.ConfigRead"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON numbers are read as Decimals from their own text, never through a float.
    "DEFAULT_PARSER_CLASSES": ["billingcfg.api.parsers.DecimalJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["billingcfg.api.throttling.PerClientThrottle"],
    "DEFAULT_THROTTLE_RATES": {"client": os.environ.get("API_THROTTLE_RATE", "6000/minute")},
    "DEFAULT_SCHEMA_CLASS": "billingcfg.api.schema.ApiAutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": None,
    # Every 400 answers {"errors": {"<field>": ["message", …]}}.
    "EXCEPTION_HANDLER": "billingcfg.api.errors.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Billing configuration API",
    "DESCRIPTION": "The active pricing configuration, quotes and alert thresholds for backend services. "
    "Authenticate with `Authorization: Api-Key <key>`. Decimals are strings. Every 400 and 413 answers "
    '`{"errors": {"<field>": ["message"]}}`; 401, 403, 404 and 429 answer `{"detail": "message"}`.',
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
