"""URLs of the Web Annotation Protocol views, spliced into the `articles` namespace."""

from django.urls import path

from articles.notes import views

urlpatterns = [
    path("annotations/<int:pk>/", views.AnnotationView.as_view(), name="annotation"),
    path(
        "stories/<slug:slug>/annotations/",
        views.AnnotationContainerView.as_view(),
        name="annotation-container",
    ),
]
