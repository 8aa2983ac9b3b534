"""Local development: a fixed insecure key so a newcomer needs no set-up.

DEBUG stays off unless DJANGO_DEBUG turns it on, so `make run` shows the site's own error
pages. Static files are served straight from `static/` by whitenoise, so no collectstatic is
needed locally.
"""

from .base import *  # noqa: F403

SECRET_KEY = SECRET_KEY or "django-insecure-local-development-only"  # noqa: F405
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
if not STATIC_ROOT.exists():  # noqa: F405
    # Nothing collected: whitenoise serves from the finders, and would only warn about the folder.
    STATIC_ROOT = None
NEWSROOM_SERVE_MEDIA = True
WHITENOISE_AUTOREFRESH = DEBUG  # noqa: F405
