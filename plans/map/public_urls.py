from django.urls import path

from plans.map import views

app_name = "map_public"

# Published MAP versions only (Step 9): read-only, no sign-in, reached by an unguessable token.
urlpatterns = [
    path("<str:token>/", views.public_plan, name="plan"),
    path("<str:token>/plan.pdf", views.public_pdf, name="pdf"),
]
