from django.urls import path

from plans.map import views

app_name = "map_public"

# Published MAP versions only (Step 9): read-only, no sign-in, reached by an unguessable token.
urlpatterns = [
    path("<str:token>/", views.public_plan, name="plan"),
    path("<str:token>/plan.pdf", views.public_file, {"kind": "plan", "fmt": "pdf"}, name="pdf"),
    path(
        "<str:token>/summary.pdf",
        views.public_file,
        {"kind": "summary", "fmt": "pdf"},
        name="summary_pdf",
    ),
    path("<str:token>/plan.docx", views.public_file, {"kind": "plan", "fmt": "docx"}, name="docx"),
    path(
        "<str:token>/summary.docx",
        views.public_file,
        {"kind": "summary", "fmt": "docx"},
        name="summary_docx",
    ),
]
