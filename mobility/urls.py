from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.api.views import MeView, ObtainTokenView
from metrics.api.urls import urlpatterns as metrics_api_patterns

admin.site.site_header = "Mobility Action Planner"
admin.site.site_title = "Mobility Action Planner admin"

api_patterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    path("me/", MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    *metrics_api_patterns,
]

urlpatterns = [
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("metrics.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include((api_patterns, "api"))),
]
