from django.urls import path

from coalitions import views

app_name = "coalitions"

urlpatterns = [
    path("", views.coalition_list, name="list"),
    path("new/", views.coalition_create, name="create"),
    path("geographies/", views.geography_search, name="geography_search"),
    path("<int:pk>/", views.coalition_detail, name="detail"),
    path("<int:pk>/settings/", views.coalition_settings, name="settings"),
    path("<int:pk>/composition/", views.composition, name="composition"),
    path("<int:pk>/activity/", views.activity, name="activity"),
    path("<int:pk>/members/", views.member_list, name="members"),
    path("<int:pk>/members/<int:member_id>/", views.member_edit, name="member_edit"),
    path("<int:pk>/members/<int:member_id>/role/", views.member_role, name="member_role"),
    path("<int:pk>/members/<int:member_id>/remove/", views.member_remove, name="member_remove"),
    path("<int:pk>/leave/", views.leave, name="leave"),
    path("<int:pk>/hand-over/", views.hand_over, name="hand_over"),
    path("<int:pk>/invitations/", views.invitation_list, name="invitations"),
    path("<int:pk>/invitations/bulk/", views.invitation_bulk, name="invitation_bulk"),
    path(
        "<int:pk>/invitations/bulk/<int:bulk_id>/",
        views.invitation_bulk_job,
        name="invitation_bulk_job",
    ),
    path(
        "<int:pk>/invitations/bulk/<int:bulk_id>/progress/",
        views.invitation_bulk_progress,
        name="invitation_bulk_progress",
    ),
    path(
        "<int:pk>/invitations/bulk/<int:bulk_id>/retry/",
        views.invitation_bulk_retry,
        name="invitation_bulk_retry",
    ),
    path(
        "<int:pk>/invitations/<int:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "<int:pk>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("<int:pk>/working-groups/", views.working_group_list, name="working_groups"),
    path("<int:pk>/working-groups/new/", views.working_group_edit, name="working_group_create"),
    path(
        "<int:pk>/working-groups/<int:group_id>/",
        views.working_group_edit,
        name="working_group_edit",
    ),
    path(
        "<int:pk>/working-groups/<int:group_id>/delete/",
        views.working_group_delete,
        name="working_group_delete",
    ),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
