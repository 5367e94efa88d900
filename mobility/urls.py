from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.api.views import ApiTokenViewSet, MeView, ObtainTokenView
from accounts.forms import AdminSignInForm
from accounts.views import language_set
from notifications.api.views import (
    NotificationListView,
    NotificationPreferencesView,
    NotificationsMarkReadView,
)

admin.site.site_header = "Mobility Action Planner"
admin.site.site_title = "Mobility Action Planner admin"
# The admin's sign-in counts failures like every other sign-in (accounts.services).
admin.site.login_form = AdminSignInForm

api_patterns: list[URLPattern | URLResolver] = [
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    path("me/", MeView.as_view(), name="me"),
    path(
        "me/tokens/",
        ApiTokenViewSet.as_view({"get": "list", "post": "create"}),
        name="token-list",
    ),
    path(
        "me/tokens/<int:pk>/",
        ApiTokenViewSet.as_view({"delete": "destroy"}),
        name="token-detail",
    ),
    path(
        "me/notification-preferences/",
        NotificationPreferencesView.as_view(),
        name="notification-preferences",
    ),
    path(
        "coalitions/<int:coalition_pk>/notifications/",
        NotificationListView.as_view(),
        name="notification-list",
    ),
    path(
        "coalitions/<int:coalition_pk>/notifications/read/",
        NotificationsMarkReadView.as_view(),
        name="notification-mark-read",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include("coalitions.api.urls")),
    path("", include("plans.api.urls")),
    path("", include("plans.map.api.urls")),
    path("", include("plans.implementation.api.urls")),
    path("", include("plans.tracking.api.urls")),
    path("", include("metrics.api.urls")),
    path("", include("metrics.profiles.api_urls")),
    path("", include("walks.api.urls")),
]

urlpatterns = [
    path("", include("core.urls")),
    path("accounts/notifications/", include("notifications.urls")),
    path("accounts/", include("accounts.urls")),
    path("coalitions/", include("coalitions.urls")),
    path("coalitions/<int:pk>/", include("plans.urls")),
    path("coalitions/<int:pk>/plan/", include("plans.map.urls")),
    path("coalitions/<int:pk>/tracking/", include("plans.tracking.urls")),
    path("published-plans/", include("plans.map.public_urls")),
    path("coalitions/<int:pk>/implementation/", include("plans.implementation.urls")),
    path("published-scorecards/", include("plans.implementation.public_urls")),
    path("coalitions/<int:pk>/walks/", include("walks.urls")),
    path("w/", include("walks.public_urls")),
    path("", include("metrics.urls")),
    path("coalitions/<int:pk>/profile/", include("metrics.profiles.urls")),
    # Django's language switch, which also keeps a signed-in person's choice (accounts.views).
    path("i18n/setlang/", language_set, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/", include((api_patterns, "api"))),
]
