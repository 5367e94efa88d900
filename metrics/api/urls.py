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
    path("geographies/", views.GeographyListView.as_view(), name="geography-list"),
    path(
        "geographies/<int:pk>/observations/",
        views.GeographyObservationListView.as_view(),
        name="geography-observations",
    ),
]
