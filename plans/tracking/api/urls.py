from django.urls import path

from plans.tracking.api import views

base = "coalitions/<int:coalition_pk>"
urlpatterns = [
    path(
        f"{base}/measures/<int:pk>/values/",
        views.MeasureValuesView.as_view(),
        name="tracking-measure-values",
    ),
    path(
        f"{base}/headline-goals/<int:pk>/values/",
        views.GoalValuesView.as_view(),
        name="tracking-goal-values",
    ),
    path(
        f"{base}/measures/<int:pk>/subgroup-targets/",
        views.MeasureSubgroupTargetsView.as_view(),
        name="tracking-measure-subgroup-targets",
    ),
    path(
        f"{base}/headline-goals/<int:pk>/subgroup-targets/",
        views.GoalSubgroupTargetsView.as_view(),
        name="tracking-goal-subgroup-targets",
    ),
    path(f"{base}/values/<int:pk>/", views.ValueDetailView.as_view(), name="tracking-value-detail"),
]
