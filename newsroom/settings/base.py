"""Settings shared by every environment.

Configuration comes from the environment with safe local defaults: ``DATABASE_URL`` picks the
database (a SQLite file when unset), ``REDIS_URL`` a shared cache, ``DJANGO_DEBUG`` turns on debug
pages for local development only.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes", "on" count as yes)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable into a list without empty items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "taggit",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "articles",
]

MIDDLEWARE = [
    # Outermost, so that everything a request reads is routed knowing whether it is pinned to
    # the primary database (`newsroom.routers`).
    "newsroom.routers.PinPrimaryMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "newsroom.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous readers' cached pages are answered here, before sessions and authentication.
    "articles.caching.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Admin pages in the editor's own time zone (a cookie the admin's script sets).
    "newsroom.middleware.EditorTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out account or address is refused before passwords are checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login rate limiting: 5 failures for one username from one client address lock out that pair
# for 15 minutes; a successful login clears the count. Locking a username alone, or an address
# alone, would let anyone lock every editor out (behind a load balancer every request shares
# the balancer's address), so only the pair is locked.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# How many proxies (load balancers) in front of the app append to X-Forwarded-For; the client
# address is read through exactly that many (`newsroom/client_address.py`). 0: REMOTE_ADDR only.
NEWSROOM_TRUSTED_PROXY_COUNT = int(os.environ.get("NEWSROOM_TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "newsroom.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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
                "articles.context_processors.site",
            ],
        },
    },
]

# Persistent connections are health-checked before a request's first query, so a connection
# the server dropped (a restart, a failover) is replaced instead of failing a reader. The check
# is a round trip, paid only by requests that query: page cache hits ask no database.
# DATABASE_CONN_HEALTH_CHECKS=0 turns it off.
DATABASE_CONN_HEALTH_CHECKS = os.environ.get("DATABASE_CONN_HEALTH_CHECKS", "1") == "1"
DATABASE_CONN_MAX_AGE = int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=DATABASE_CONN_MAX_AGE,
        conn_health_checks=DATABASE_CONN_HEALTH_CHECKS,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Read replicas: `DATABASE_REPLICA_URLS="postgres://…@replica-a/newsroom,postgres://…"` adds the
# aliases replica1, replica2, … that `newsroom.routers` sends reads to. Tests read the primary's
# test database through them (a test mirror), as the replicas mirror the primary in production.
NEWSROOM_DATABASE_REPLICAS = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    DATABASES[f"replica{_number}"] = {
        **dj_database_url.parse(
            _url,
            conn_max_age=DATABASE_CONN_MAX_AGE,
            conn_health_checks=DATABASE_CONN_HEALTH_CHECKS,
        ),
        "TEST": {"MIRROR": "default"},
    }
    NEWSROOM_DATABASE_REPLICAS.append(f"replica{_number}")
DATABASE_ROUTERS = ["newsroom.routers.PrimaryReplicaRouter"]

# Caches, and where sessions live. Without REDIS_URL every cache is this process's own memory
# and sessions are read from the database; with it, the default cache, the page cache and
# sessions (read through the cache, kept in the database) are shared by every app server.
#
# The page cache of rendered reader pages (`articles.caching.pagecache`) has its own alias, so that
# pages never evict the default cache's small entries; entries expire after
# NEWSROOM_PAGE_CACHE_TTL seconds. Pages (and the counts and menu kept beside them) are purged
# where they are kept, so they are kept only where every process's purges reach: in Redis. In
# local memory they would be one process's own, and a story the task worker imports or a
# management command saves (`make run` serves with a worker beside it) would be purged in that
# process only. So the page cache is on with REDIS_URL and off without it, unless
# NEWSROOM_PAGE_CACHE=1 says the server is the only process that writes (one worker, no task
# worker or commands beside it) or =0 turns it off.
REDIS_URL = os.environ.get("REDIS_URL", "")
NEWSROOM_PAGE_CACHE = env_bool("NEWSROOM_PAGE_CACHE", default=bool(REDIS_URL))
NEWSROOM_PAGE_CACHE_TTL = int(os.environ.get("NEWSROOM_PAGE_CACHE_TTL", "300"))
NEWSROOM_PAGE_CACHE_ALIAS = "pages"
# Where a committed change purges pages by key (`articles.caching.backends`): the page cache,
# and Varnish (xkey) when NEWSROOM_VARNISH_URLS lists its addresses (http://varnish:6081/, …).
NEWSROOM_VARNISH_URLS = env_list("NEWSROOM_VARNISH_URLS")
NEWSROOM_PURGE_BACKENDS = ["articles.caching.backends.PageCachePurge"] + (
    ["articles.caching.backends.VarnishPurge"] if NEWSROOM_VARNISH_URLS else []
)
if REDIS_URL:
    _redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    CACHES = {"default": _redis, "pages": {**_redis, "KEY_PREFIX": "pages"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pages",
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("NEWSROOM_PAGE_CACHE_ENTRIES", "1000"))},
        },
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded media: the local MEDIA_ROOT by default; `DJANGO_MEDIA_STORAGE=s3` puts them in an S3
# bucket (or any S3-compatible store) through django-storages. Credentials come from the usual
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the instance's role), read by boto3 itself.
DJANGO_MEDIA_STORAGE = os.environ.get("DJANGO_MEDIA_STORAGE", "filesystem").strip().lower()
if DJANGO_MEDIA_STORAGE == "s3":
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("DJANGO_MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "location": os.environ.get("AWS_LOCATION", "media"),
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH"),
            "file_overwrite": False,
            "default_acl": None,
        },
    }
elif DJANGO_MEDIA_STORAGE != "filesystem":
    raise ImproperlyConfigured(
        f"DJANGO_MEDIA_STORAGE is 'filesystem' or 's3', not {DJANGO_MEDIA_STORAGE!r}."
    )

TAGGIT_CASE_INSENSITIVE = True
# Commas alone separate tags: "Latin America, Peru" is two tags, shown back without quotes.
TAGGIT_TAGS_FROM_STRING = "articles.text.tag_names.parse_tag_names"
TAGGIT_STRING_FROM_TAGS = "articles.text.tag_names.format_tag_names"

# The newsroom's own settings.
# Note kinds a second person must publish: never the note's author nor whoever submitted it.
# Comma-separated kinds (context, source, factcheck, correction); empty for none.
NEWSROOM_NOTES_SECOND_PERSON = frozenset(
    env_list("NEWSROOM_NOTES_SECOND_PERSON", "factcheck,correction")
)
NEWSROOM_BRAND = os.environ.get("NEWSROOM_BRAND", "VICE")
NEWSROOM_SITE_NAME = os.environ.get("NEWSROOM_SITE_NAME", "VICE News")
# Datelines in imported files ("Jun 20 2014, 7:41pm") are wall-clock times in this zone.
NEWSROOM_IMPORT_TIME_ZONE = os.environ.get("NEWSROOM_IMPORT_TIME_ZONE", "America/New_York")
# The task worker keeps a copy of each lead image given by address (`articles.ingest.images`);
# an image on a private or local network address is refused unless this is on (an intranet CMS).
NEWSROOM_IMAGE_COPY_ALLOW_PRIVATE = env_bool("NEWSROOM_IMAGE_COPY_ALLOW_PRIVATE")
NEWSROOM_PAGE_SIZE = int(os.environ.get("NEWSROOM_PAGE_SIZE", "20"))
# Uploaded media served by the app itself: a developer's machine only (`local` turns it on).
NEWSROOM_SERVE_MEDIA = False

# Background work (notification e-mail, webhooks, the admin's imports) is queued in the database
# and run by `manage.py db_worker` (`make run` starts one), never inside an editor's request.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# E-mail: printed to the console unless EMAIL_HOST names an SMTP server.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
    EMAIL_TIMEOUT = 30
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "newsroom@localhost")
# The site's own address, for links in e-mail and webhooks (which have no request to ask).
NEWSROOM_BASE_URL = os.environ.get("NEWSROOM_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


def parse_webhooks(value: str) -> list[tuple[str, str]]:
    """`NEWSROOM_WEBHOOKS`: comma-separated "URL SECRET" pairs, as (url, secret) tuples."""
    webhooks = []
    for entry in (item.strip() for item in value.split(",")):
        if not entry:
            continue
        parts = entry.split()
        if len(parts) != 2 or not parts[0].startswith(("https://", "http://")):
            raise ImproperlyConfigured(
                'NEWSROOM_WEBHOOKS holds comma-separated "URL SECRET" pairs, one URL each.'
            )
        if len(parts[1]) < 16:
            raise ImproperlyConfigured("A webhook's secret needs at least 16 characters.")
        webhooks.append((parts[0], parts[1]))
    return webhooks


# Where "a note, correction or story was published" is POSTed, signed with each URL's secret.
NEWSROOM_WEBHOOKS = parse_webhooks(os.environ.get("NEWSROOM_WEBHOOKS", ""))
# A failed delivery is tried again after 30 s, 60 s, 120 s, … until it has had 8 attempts.
NEWSROOM_WEBHOOK_RETRY_DELAY = float(os.environ.get("NEWSROOM_WEBHOOK_RETRY_DELAY", "30"))
NEWSROOM_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("NEWSROOM_WEBHOOK_MAX_ATTEMPTS", "8"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# Beyond one machine: app servers keep no state of their own. Sessions live in the database
# (read through the cache when Redis is shared), media in `STORAGES["default"]`, and pages and
# fragments in the cache. See the README's "Deployment".
