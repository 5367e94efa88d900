from django.urls import path

from plans.map.api import views

base = "coalitions/<int:coalition_pk>"
urlpatterns = [
    path(f"{base}/vision/", views.VisionView.as_view(), name="map-vision"),
    path(f"{base}/priority-areas/", views.PriorityAreaListView.as_view(), name="map-priority-list"),
    path(
        f"{base}/priority-areas/<int:pk>/",
        views.PriorityAreaDetailView.as_view(),
        name="map-priority-detail",
    ),
    path(f"{base}/theories-of-change/", views.TheoryListView.as_view(), name="map-theory-list"),
    path(
        f"{base}/theories-of-change/<int:pk>/",
        views.TheoryDetailView.as_view(),
        name="map-theory-detail",
    ),
    path(
        f"{base}/strategic-actions/",
        views.StrategicActionListView.as_view(),
        name="map-action-list",
    ),
    path(
        f"{base}/strategic-actions/<int:pk>/",
        views.StrategicActionDetailView.as_view(),
        name="map-action-detail",
    ),
    path(f"{base}/headline-goals/", views.HeadlineGoalListView.as_view(), name="map-goal-list"),
    path(
        f"{base}/headline-goals/<int:pk>/",
        views.HeadlineGoalDetailView.as_view(),
        name="map-goal-detail",
    ),
    path(f"{base}/measures/", views.MeasureListView.as_view(), name="map-measure-list"),
    path(
        f"{base}/measures/<int:pk>/", views.MeasureDetailView.as_view(), name="map-measure-detail"
    ),
    path(f"{base}/map-sections/", views.SectionListView.as_view(), name="map-section-list"),
    path(
        f"{base}/map-sections/<str:key>/",
        views.SectionDetailView.as_view(),
        name="map-section-detail",
    ),
    path(
        f"{base}/map-sections/<str:key>/publication/",
        views.SectionPublicationView.as_view(),
        name="map-section-publication",
    ),
    path(f"{base}/map-preview/", views.PreviewView.as_view(), name="map-preview"),
    path(f"{base}/map-reviews/", views.ReviewListView.as_view(), name="map-review-list"),
    path(
        f"{base}/map-reviews/<int:pk>/decision/",
        views.ReviewDecisionView.as_view(),
        name="map-review-decision",
    ),
    path(f"{base}/map-check/", views.CheckView.as_view(), name="map-check"),
    path(f"{base}/map-versions/", views.VersionListView.as_view(), name="map-version-list"),
    path(
        f"{base}/map-versions/<int:pk>/",
        views.VersionDetailView.as_view(),
        name="map-version-detail",
    ),
    path(
        f"{base}/map-versions/<int:pk>/publication/",
        views.VersionPublishView.as_view(),
        name="map-version-publication",
    ),
    path(f"{base}/map-exports/", views.ExportListView.as_view(), name="map-export-list"),
    path(
        f"{base}/map-exports/<int:pk>/", views.ExportDetailView.as_view(), name="map-export-detail"
    ),
    path(
        f"{base}/map-exports/<int:pk>/retry/",
        views.ExportRetryView.as_view(),
        name="map-export-retry",
    ),
]
