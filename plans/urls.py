from django.urls import path

from plans import views

app_name = "plans"

# Mounted under /coalitions/<pk>/ : every page belongs to one coalition.
urlpatterns = [
    path("steps/", views.steps_dashboard, name="steps"),
    path("steps/<int:number>/", views.step_detail, name="step"),
    path("steps/<int:number>/status/", views.step_status, name="step_status"),
    path("steps/<int:number>/checklist/", views.step_checklist, name="step_checklist"),
    path("steps/<int:number>/assign/", views.assignment_create, name="assignment_create"),
    path(
        "assignments/<int:assignment_id>/delete/",
        views.assignment_delete,
        name="assignment_delete",
    ),
    path("my-work/", views.my_work, name="my_work"),
    path("notifications/", views.notifications, name="notifications"),
    path("readiness/", views.readiness, name="readiness"),
    path("worksheets/<str:key>/", views.worksheet, name="worksheet"),
    path("worksheets/<str:key>/autosave/", views.worksheet_autosave, name="worksheet_autosave"),
    path("worksheets/<str:key>/mark/", views.worksheet_mark, name="worksheet_mark"),
    path("worksheets/<str:key>/conflict/", views.worksheet_conflict, name="worksheet_conflict"),
    path("worksheets/<str:key>/history/", views.worksheet_history, name="worksheet_history"),
    path("worksheets/<str:key>/restore/", views.worksheet_restore, name="worksheet_restore"),
    path("worksheets/<str:key>/comments/", views.worksheet_comment, name="worksheet_comment"),
    path(
        "worksheets/<str:key>/export.<str:fmt>",
        views.worksheet_export,
        name="worksheet_export",
    ),
    path("files/<int:file_id>/", views.worksheet_file, name="worksheet_file"),
    path("worksheets/<str:key>/compilation/", views.compilation, name="compilation"),
    path("workspace/export/", views.workspace_export, name="workspace_export"),
    path("workspace/import/", views.workspace_import, name="workspace_import"),
]
