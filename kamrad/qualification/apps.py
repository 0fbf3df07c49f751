from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualificationConfig(AppConfig):
    name = "kamrad.qualification"
    verbose_name = _("VIP qualification")
