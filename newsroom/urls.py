"""Root URLs: the admin, the reader-facing site, sitemaps, robots.txt and the health check."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from articles.admin.old_urls import urlpatterns as old_admin_urlpatterns
from articles.sitemaps import SITEMAPS, news_sitemap, sitemap_index, sitemap_page
from newsroom.health import healthz

# A lost database answers 503 ("back in a moment"), any other failure the 500 page.
handler500 = "newsroom.health.server_error"

urlpatterns = [
    # Addresses the story and note admins had before their models were renamed (bookmarks,
    # links in e-mails already sent): redirected to today's.
    path("admin/", include(old_admin_urlpatterns)),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("", include("articles.urls")),
    path(
        "sitemap.xml",
        sitemap_index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap"},
        name="sitemap-index",
    ),
    path("sitemap-<section>.xml", sitemap_page, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("news-sitemap.xml", news_sitemap, name="news-sitemap"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
]

if settings.DEBUG or settings.NEWSROOM_SERVE_MEDIA:
    # Uploaded images on a developer's machine (`make run` runs without DEBUG, to show the
    # site's own error pages); production serves media from its storage.
    from django.urls import re_path
    from django.views.static import serve

    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
