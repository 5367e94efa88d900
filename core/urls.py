from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("staff/diagnostics/", views.diagnostics, name="diagnostics"),
    path("staff/diagnostics/run/", views.diagnostics_start, name="diagnostics_start"),
    path("staff/diagnostics/<int:pk>/", views.diagnostics_job, name="diagnostics_job"),
]
