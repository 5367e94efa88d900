from django.urls import path

from plans.views import steps, worksheets, workspace

app_name = "plans"

# Mounted under /coalitions/<pk>/ : every page belongs to one coalition.
urlpatterns = [
    path("steps/", steps.steps_dashboard, name="steps"),
    path("steps/<int:number>/", steps.step_detail, name="step"),
    path("steps/<int:number>/status/", steps.step_status, name="step_status"),
    path("steps/<int:number>/checklist/", steps.step_checklist, name="step_checklist"),
    path("steps/<int:number>/assign/", steps.assignment_create, name="assignment_create"),
    path(
        "assignments/<int:assignment_id>/delete/",
        steps.assignment_delete,
        name="assignment_delete",
    ),
    path("my-work/", steps.my_work, name="my_work"),
    path("notifications/", steps.notifications, name="notifications"),
    path("readiness/", steps.readiness, name="readiness"),
    path("worksheets/<str:key>/", worksheets.worksheet, name="worksheet"),
    path(
        "worksheets/<str:key>/autosave/", worksheets.worksheet_autosave, name="worksheet_autosave"
    ),
    path("worksheets/<str:key>/mark/", worksheets.worksheet_mark, name="worksheet_mark"),
    path(
        "worksheets/<str:key>/conflict/", worksheets.worksheet_conflict, name="worksheet_conflict"
    ),
    path("worksheets/<str:key>/history/", worksheets.worksheet_history, name="worksheet_history"),
    path(
        "worksheets/<str:key>/history/<int:version>/",
        worksheets.worksheet_revision,
        name="worksheet_revision",
    ),
    path("worksheets/<str:key>/restore/", worksheets.worksheet_restore, name="worksheet_restore"),
    path("worksheets/<str:key>/comments/", worksheets.worksheet_comment, name="worksheet_comment"),
    path(
        "worksheets/<str:key>/export.<str:fmt>",
        worksheets.worksheet_export,
        name="worksheet_export",
    ),
    path("files/<int:file_id>/", worksheets.worksheet_file, name="worksheet_file"),
    path("worksheets/<str:key>/compilation/", workspace.compilation, name="compilation"),
    path("workspace/export/", workspace.workspace_export, name="workspace_export"),
    path("workspace/import/", workspace.workspace_import, name="workspace_import"),
]
