"""Local development: a fixed insecure key so a newcomer needs no set-up.

DEBUG stays off unless DJANGO_DEBUG turns it on (`make run` does). Static files are served
straight from `static/` by whitenoise, so no collectstatic is needed locally.
"""

from .base import *  # noqa: F403

SECRET_KEY = SECRET_KEY or "django-insecure-local-development-only"  # noqa: F405
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
NEWSROOM_SERVE_MEDIA = True
WHITENOISE_AUTOREFRESH = DEBUG  # noqa: F405
