from django.urls import path

from plans.implementation.api import views

base = "coalitions/<int:coalition_pk>"
urlpatterns = [
    path(
        f"{base}/strategic-actions/<int:pk>/status/",
        views.ActionStatusView.as_view(),
        name="impl-action-status",
    ),
    path(
        f"{base}/strategic-actions/<int:pk>/progress-notes/",
        views.ProgressNoteListView.as_view(),
        name="impl-note-list",
    ),
    path(
        f"{base}/progress-notes/<int:pk>/",
        views.ProgressNoteDetailView.as_view(),
        name="impl-note-detail",
    ),
    path(
        f"{base}/strategic-actions/<int:pk>/milestones/",
        views.MilestoneListView.as_view(),
        name="impl-milestone-list",
    ),
    path(
        f"{base}/milestones/<int:pk>/done/",
        views.MilestoneDoneView.as_view(),
        name="impl-milestone-done",
    ),
    path(f"{base}/early-wins/", views.EarlyWinListView.as_view(), name="impl-early-win-list"),
    path(
        f"{base}/early-wins/<int:pk>/",
        views.EarlyWinDetailView.as_view(),
        name="impl-early-win-detail",
    ),
    path(f"{base}/scorecard/", views.ScorecardView.as_view(), name="impl-scorecard"),
    path(
        f"{base}/scorecard/publication/",
        views.ScorecardPublicationView.as_view(),
        name="impl-scorecard-publication",
    ),
    path(f"{base}/progress-reports/", views.ReportListView.as_view(), name="impl-report-list"),
    path(
        f"{base}/progress-reports/<int:pk>/",
        views.ReportDetailView.as_view(),
        name="impl-report-detail",
    ),
    path(f"{base}/plan-cycles/", views.CycleListView.as_view(), name="impl-cycle-list"),
    path(
        f"{base}/plan-cycles/<int:pk>/comparison/",
        views.CycleComparisonView.as_view(),
        name="impl-cycle-comparison",
    ),
]
