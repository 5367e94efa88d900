from django.urls import path

from plans.map import views

app_name = "map"

# Mounted under /coalitions/<pk>/plan/ : every page belongs to one coalition.
urlpatterns = [
    path("strategy/", views.strategy, name="strategy"),
    path("strategy/import/", views.import_worksheets, name="import_worksheets"),
    path("strategy/vision/", views.vision, name="vision"),
    path("strategy/priorities/new/", views.priority_edit, name="priority_create"),
    path("strategy/priorities/<int:priority_id>/", views.priority_edit, name="priority_edit"),
    path(
        "strategy/priorities/<int:priority_id>/delete/",
        views.priority_delete,
        name="priority_delete",
    ),
    path("strategy/priorities/<int:priority_id>/goals/new/", views.goal_edit, name="goal_create"),
    path(
        "strategy/priorities/<int:priority_id>/goals/<int:goal_id>/",
        views.goal_edit,
        name="goal_edit",
    ),
    path(
        "strategy/priorities/<int:priority_id>/goals/<int:goal_id>/delete/",
        views.goal_delete,
        name="goal_delete",
    ),
    path("strategy/theories/new/", views.theory_edit, name="theory_create"),
    path("strategy/theories/preview/", views.theory_preview, name="theory_preview"),
    path("strategy/theories/<int:theory_id>/", views.theory_edit, name="theory_edit"),
    path("strategy/theories/<int:theory_id>/delete/", views.theory_delete, name="theory_delete"),
    path("strategy/actions/new/", views.action_edit, name="action_create"),
    path("strategy/actions/<int:action_id>/", views.action_edit, name="action_edit"),
    path("strategy/actions/<int:action_id>/delete/", views.action_delete, name="action_delete"),
    path("measures/", views.measures, name="measures"),
    path("measures/coverage/", views.coverage, name="coverage"),
    path("measures/<int:measure_id>/", views.measure_edit, name="measure_edit"),
    path("measures/<int:measure_id>/dismiss/", views.measure_dismiss, name="measure_dismiss"),
    path("", views.plan, name="plan"),
    path("sections/<str:key>/", views.section, name="section"),
    path(
        "sections/<str:key>/publication/",
        views.section_publication,
        name="section_publication",
    ),
    path("preview/", views.preview_public, name="preview_public"),
    path("reviews/request/", views.review_request, name="review_request"),
    path("reviews/<int:review_id>/", views.review_decide, name="review_decide"),
    path("versions/check/", views.version_check, name="version_check"),
    path("versions/freeze/", views.version_freeze, name="version_freeze"),
    path("versions/<int:version_id>/", views.version, name="version"),
    path("versions/<int:version_id>/compare/", views.version_compare, name="version_compare"),
    path("versions/<int:version_id>/publish/", views.version_publish, name="version_publish"),
    path("versions/<int:version_id>/unpublish/", views.version_unpublish, name="version_unpublish"),
    path("exports/", views.export_start, name="export_start"),
    path("exports/<int:export_id>/", views.export_status, name="export_status"),
    path("exports/<int:export_id>/download/", views.export_download, name="export_download"),
    path("exports/<int:export_id>/retry/", views.export_retry, name="export_retry"),
]
