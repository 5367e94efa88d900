from django.urls import path

from metrics.profiles import views

app_name = "profiles"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("peers/", views.peers, name="peers"),
    path("peers/add/", views.peer_add, name="peer_add"),
    path("peers/<int:peer_id>/remove/", views.peer_remove, name="peer_remove"),
    path("notes/<int:note_id>/delete/", views.note_delete, name="note_delete"),
    path("disparities/", views.disparities, name="disparities"),
    path("county/", views.county_comparison, name="county_comparison"),
    path("<slug:variable>/", views.metric_detail, name="metric"),
]
