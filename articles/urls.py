"""Reader-facing URLs."""

from django.urls import path

from . import views
from .annotations.urls import urlpatterns as annotation_urlpatterns

app_name = "articles"

urlpatterns = [
    path("", views.FrontPageView.as_view(), name="front"),
    path("stories/<slug:slug>/", views.story_detail, name="story"),
    path("sections/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("tags/<str:slug>/", views.TagView.as_view(), name="tag"),
    path("authors/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    *annotation_urlpatterns,
]
