"""Reader-facing URLs."""

from django.urls import path, register_converter

from articles import feeds, views
from articles.notes.urls import urlpatterns as annotation_urlpatterns
from articles.pages.archives import MonthConverter, YearConverter
from articles.search.views import search

app_name = "articles"
register_converter(YearConverter, "year")
register_converter(MonthConverter, "month")

urlpatterns = [
    path("", views.FrontPageView.as_view(), name="front"),
    path("stories/<slug:slug>/", views.story_detail, name="story"),
    path("stories/<slug:slug>/changes/", views.story_changes, name="story-changes"),
    path("stories/<slug:slug>/versions/<int:number>/", views.story_version, name="story-version"),
    path("corrections/", views.corrections, name="corrections"),
    path("corrections/feed/rss/", feeds.CorrectionsFeed(), name="corrections-feed-rss"),
    path("about/<slug:kind>/", views.policy_page, name="policy"),
    path("sections/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("tags/<str:slug>/", views.TagView.as_view(), name="tag"),
    path("authors/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    path("search/", search, name="search"),
    *annotation_urlpatterns,
    path("feed/rss/", feeds.SiteFeed(), name="feed-rss"),
    path("feed/atom/", feeds.SiteAtomFeed(), name="feed-atom"),
    path("sections/<slug:slug>/feed/rss/", feeds.SectionFeed(), name="section-feed-rss"),
    path("sections/<slug:slug>/feed/atom/", feeds.SectionAtomFeed(), name="section-feed-atom"),
    path("tags/<str:slug>/feed/rss/", feeds.TagFeed(), name="tag-feed-rss"),
    path("tags/<str:slug>/feed/atom/", feeds.TagAtomFeed(), name="tag-feed-atom"),
    path("authors/<slug:slug>/feed/rss/", feeds.AuthorFeed(), name="author-feed-rss"),
    path("authors/<slug:slug>/feed/atom/", feeds.AuthorAtomFeed(), name="author-feed-atom"),
    path("archive/<year:year>/", views.StoryYearArchiveView.as_view(), name="archive-year"),
    path(
        "archive/<year:year>/<month:month>/",
        views.StoryMonthArchiveView.as_view(),
        name="archive-month",
    ),
]
