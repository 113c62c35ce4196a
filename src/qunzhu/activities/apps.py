from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "qunzhu.activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        # the scheduler's job handlers register themselves when their modules load
        from . import campaigns, challenges, homework, sharing  # noqa: F401
