"""Site-wide template context: the brand and site name from settings."""

from django.conf import settings


def site(request):
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "brand": settings.NEWSROOM_BRAND,
    }
