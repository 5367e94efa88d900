from django.urls import path

from metrics import views

app_name = "metrics"

urlpatterns = [
    path("staff/metrics/imports/", views.import_list, name="import_list"),
    path("staff/metrics/imports/<int:pk>/", views.import_detail, name="import_detail"),
    path(
        "staff/metrics/releases/<int:pk>/activate/",
        views.release_activate,
        name="release_activate",
    ),
    path("staff/metrics/imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("staff/metrics/imports/<int:pk>/retry/", views.import_retry, name="import_retry"),
    path(
        "staff/metrics/imports/<int:pk>/errors.csv", views.import_errors_csv, name="import_errors"
    ),
    path("coalitions/<int:pk>/local-data/", views.local_data_list, name="local_data_list"),
    path(
        "coalitions/<int:pk>/local-data/upload/",
        views.local_data_upload,
        name="local_data_upload",
    ),
    path(
        "coalitions/<int:pk>/local-data/<int:dataset_id>/",
        views.local_data_detail,
        name="local_data_detail",
    ),
    path(
        "coalitions/<int:pk>/local-data/<int:dataset_id>/columns/",
        views.local_data_map,
        name="local_data_map",
    ),
    path(
        "coalitions/<int:pk>/local-data/<int:dataset_id>/progress/",
        views.local_data_progress,
        name="local_data_progress",
    ),
    path(
        "coalitions/<int:pk>/local-data/<int:dataset_id>/retry/",
        views.local_data_retry,
        name="local_data_retry",
    ),
    path(
        "coalitions/<int:pk>/local-data/<int:dataset_id>/delete/",
        views.local_data_delete,
        name="local_data_delete",
    ),
]
