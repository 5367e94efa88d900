from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Planning workspace")

    def ready(self) -> None:
        from plans.map.document_cache import signals_connect

        signals_connect()
