from django.urls import path

from coalitions.api import views

coalitions = views.CoalitionViewSet.as_view({"get": "list", "post": "create"})
coalition = views.CoalitionViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update"}
)
members = views.MembershipViewSet.as_view({"get": "list"})
member = views.MembershipViewSet.as_view(
    {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}
)
invitations = views.InvitationViewSet.as_view({"get": "list", "post": "create"})
invitation = views.InvitationViewSet.as_view({"get": "retrieve"})
groups = views.WorkingGroupViewSet.as_view({"get": "list", "post": "create"})
group = views.WorkingGroupViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}
)

urlpatterns = [
    path("coalitions/", coalitions, name="coalition-list"),
    path("coalitions/<int:pk>/", coalition, name="coalition-detail"),
    path("coalitions/<int:coalition_pk>/memberships/", members, name="membership-list"),
    path("coalitions/<int:coalition_pk>/memberships/<int:pk>/", member, name="membership-detail"),
    path("coalitions/<int:coalition_pk>/invitations/", invitations, name="invitation-list"),
    path(
        "coalitions/<int:coalition_pk>/invitations/<int:pk>/", invitation, name="invitation-detail"
    ),
    path(
        "coalitions/<int:coalition_pk>/invitations/<int:pk>/revoke/",
        views.InvitationViewSet.as_view({"post": "revoke"}),
        name="invitation-revoke",
    ),
    path(
        "coalitions/<int:coalition_pk>/invitations/<int:pk>/resend/",
        views.InvitationViewSet.as_view({"post": "resend"}),
        name="invitation-resend",
    ),
    path("coalitions/<int:coalition_pk>/working-groups/", groups, name="working-group-list"),
    path(
        "coalitions/<int:coalition_pk>/working-groups/<int:pk>/",
        group,
        name="working-group-detail",
    ),
]
