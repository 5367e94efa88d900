from django.urls import path

from plans.api import views

base = "coalitions/<int:coalition_pk>"
urlpatterns = [
    path(f"{base}/steps/", views.StepListView.as_view(), name="step-list"),
    path(f"{base}/steps/<int:number>/", views.StepDetailView.as_view(), name="step-detail"),
    path(f"{base}/worksheets/", views.WorksheetListView.as_view(), name="worksheet-list"),
    path(
        f"{base}/worksheets/<str:key>/",
        views.WorksheetDetailView.as_view(),
        name="worksheet-detail",
    ),
    path(
        f"{base}/worksheets/<str:key>/responses/",
        views.ResponseView.as_view(),
        name="worksheet-responses",
    ),
    path(
        f"{base}/worksheets/<str:key>/revisions/",
        views.RevisionListView.as_view(),
        name="worksheet-revisions",
    ),
    path(
        f"{base}/worksheets/<str:key>/revisions/<int:version>/",
        views.RevisionDetailView.as_view(),
        name="worksheet-revision-detail",
    ),
    path(
        f"{base}/worksheets/<str:key>/comments/",
        views.CommentListView.as_view(),
        name="worksheet-comments",
    ),
]
