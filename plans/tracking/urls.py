from django.urls import path

from plans.tracking import views

app_name = "tracking"

# Mounted under /coalitions/<pk>/tracking/ : every page belongs to one coalition.
urlpatterns = [
    path("measures/<int:measure_id>/", views.measure, name="measure"),
    path("goals/<int:goal_id>/", views.goal, name="goal"),
    path("values/<int:value_id>/delete/", views.value_delete, name="value_delete"),
    path("changes/<int:change_id>/dismiss/", views.change_dismiss, name="change_dismiss"),
]
