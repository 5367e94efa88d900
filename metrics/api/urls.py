from django.urls import path

from metrics.api import views

# Included in the "api" namespace by mobility/urls.py.
urlpatterns = [
    path("metrics/", views.MetricCatalogView.as_view(), name="metric-list"),
    path("metrics/imports/", views.MetricImportListView.as_view(), name="metric-import-list"),
    path(
        "metrics/imports/<int:pk>/",
        views.MetricImportDetailView.as_view(),
        name="metric-import-detail",
    ),
    path(
        "metrics/imports/<int:pk>/retry/",
        views.MetricImportRetryView.as_view(),
        name="metric-import-retry",
    ),
    path("geographies/", views.GeographyListView.as_view(), name="geography-list"),
    path(
        "geographies/<int:pk>/observations/",
        views.GeographyObservationListView.as_view(),
        name="geography-observations",
    ),
    path(
        "coalitions/<int:coalition_pk>/local-datasets/",
        views.LocalDatasetListView.as_view(),
        name="local-dataset-list",
    ),
    path(
        "coalitions/<int:coalition_pk>/local-datasets/<int:pk>/",
        views.LocalDatasetDetailView.as_view(),
        name="local-dataset-detail",
    ),
    path(
        "coalitions/<int:coalition_pk>/local-datasets/<int:pk>/retry/",
        views.LocalDatasetRetryView.as_view(),
        name="local-dataset-retry",
    ),
]
