from django.urls import path

from plans.implementation import views

app_name = "scorecard_public"

# A published scorecard only: read-only, no sign-in, reached by an unguessable token.
urlpatterns = [
    path("<str:token>/", views.public_scorecard, name="scorecard"),
]
