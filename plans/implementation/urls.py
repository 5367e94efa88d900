from django.urls import path

from plans.implementation import views

app_name = "implementation"

# Mounted under /coalitions/<pk>/implementation/ : every page belongs to one coalition.
urlpatterns = [
    path("", views.scorecard, name="scorecard"),
    path("actions/<int:action_id>/", views.action, name="action"),
    path("actions/<int:action_id>/status/", views.action_status, name="action_status"),
    path("actions/<int:action_id>/notes/", views.note_add, name="note_add"),
    path("notes/<int:note_id>/", views.note_edit, name="note_edit"),
    path("notes/<int:note_id>/delete/", views.note_delete, name="note_delete"),
    path("milestones/<int:milestone_id>/done/", views.milestone_done, name="milestone_done"),
    path("early-wins/", views.early_wins, name="early_wins"),
    path("early-wins/import/", views.early_wins_import, name="early_wins_import"),
    path("early-wins/<int:win_id>/", views.early_win_edit, name="early_win_edit"),
    path("early-wins/<int:win_id>/delete/", views.early_win_delete, name="early_win_delete"),
    path("reports/", views.reports, name="reports"),
    path("publication/", views.publication, name="publication"),
    path("next-cycle/", views.next_cycle, name="next_cycle"),
    path("next-cycle/adopt/", views.candidate_adopt, name="candidate_adopt"),
    path("next-cycle/<int:cycle_id>/compare/", views.cycle_compare, name="cycle_compare"),
]
