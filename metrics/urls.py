from django.urls import path

from metrics import views

app_name = "metrics"

urlpatterns = [
    path("staff/metrics/imports/", views.import_list, name="import_list"),
    path("staff/metrics/imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("staff/metrics/imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path(
        "staff/metrics/imports/<int:pk>/errors.csv", views.import_errors_csv, name="import_errors"
    ),
]
