from django.urls import path

from walks import views

app_name = "walks"

urlpatterns = [
    path("", views.walk_list, name="list"),
    path("new/", views.walk_create, name="create"),
    path("<int:walk_pk>/", views.walk_detail, name="walk"),
    path("<int:walk_pk>/edit/", views.walk_edit, name="edit"),
    path("<int:walk_pk>/status/", views.walk_status, name="status"),
    path("<int:walk_pk>/stations/new/", views.station_add, name="station_add"),
    path("<int:walk_pk>/stations/<int:station_pk>/", views.station_edit, name="station_edit"),
    path(
        "<int:walk_pk>/stations/<int:station_pk>/delete/",
        views.station_delete,
        name="station_delete",
    ),
    path("<int:walk_pk>/stations/<int:station_pk>/move/", views.station_move, name="station_move"),
    path(
        "<int:walk_pk>/stations/<int:station_pk>/facilitate/", views.facilitate, name="facilitate"
    ),
    path("<int:walk_pk>/posters/", views.walk_export, name="export"),
    path("<int:walk_pk>/posters/<int:export_pk>/", views.walk_export_file, name="export_file"),
    path(
        "<int:walk_pk>/posters/<int:export_pk>/status/",
        views.walk_export_status,
        name="export_status",
    ),
    path("<int:walk_pk>/moderation/", views.moderation, name="moderation"),
    path(
        "<int:walk_pk>/answers/<int:answer_pk>/moderate/",
        views.answer_moderate,
        name="answer_moderate",
    ),
    path("<int:walk_pk>/results/", views.results, name="results"),
    path("<int:walk_pk>/answers/<int:answer_pk>/tag/", views.answer_tag, name="answer_tag"),
    path("<int:walk_pk>/send-to-plan/", views.send_to_plan, name="send"),
    path("<int:walk_pk>/contacts/", views.contacts, name="contacts"),
]
