from django.urls import path

from metrics.profiles import api

urlpatterns = [
    path("coalitions/<int:coalition_pk>/profile/", api.ProfileView.as_view(), name="profile"),
    path(
        "coalitions/<int:coalition_pk>/profile/peers/",
        api.ProfilePeersView.as_view(),
        name="profile-peers",
    ),
    path(
        "coalitions/<int:coalition_pk>/profile/disparities/",
        api.DisparitiesView.as_view(),
        name="profile-disparities",
    ),
    path(
        "coalitions/<int:coalition_pk>/profile/metrics/<slug:variable>/",
        api.ProfileMetricView.as_view(),
        name="profile-metric",
    ),
    path(
        "geographies/<int:pk>/profile/",
        api.GeographyProfileView.as_view(),
        name="geography-profile",
    ),
    path("geographies/<int:pk>/peers/", api.GeographyPeersView.as_view(), name="geography-peers"),
]
