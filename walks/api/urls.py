from django.urls import path

from walks.api import views

base = "coalitions/<int:coalition_pk>/walks"
urlpatterns = [
    path(f"{base}/", views.WalkListView.as_view(), name="walk-list"),
    path(f"{base}/<int:pk>/", views.WalkDetailView.as_view(), name="walk-detail"),
    path(f"{base}/<int:pk>/status/", views.WalkStatusView.as_view(), name="walk-status"),
    path(
        f"{base}/<int:walk_pk>/stations/", views.StationListView.as_view(), name="walk-station-list"
    ),
    path(
        f"{base}/<int:walk_pk>/stations/<int:pk>/",
        views.StationDetailView.as_view(),
        name="walk-station-detail",
    ),
    path(
        f"{base}/<int:walk_pk>/stations/<int:pk>/facilitated/",
        views.FacilitatedView.as_view(),
        name="walk-facilitated",
    ),
    path(f"{base}/<int:walk_pk>/answers/", views.AnswerListView.as_view(), name="walk-answer-list"),
    path(
        f"{base}/<int:walk_pk>/answers/<int:pk>/moderate/",
        views.AnswerModerateView.as_view(),
        name="walk-answer-moderate",
    ),
    path(
        f"{base}/<int:walk_pk>/answers/<int:pk>/tag/",
        views.AnswerTagView.as_view(),
        name="walk-answer-tag",
    ),
    path(f"{base}/<int:walk_pk>/send-to-plan/", views.SendToPlanView.as_view(), name="walk-send"),
]
