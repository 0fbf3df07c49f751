from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PyramidConfig(AppConfig):
    name = "kamrad.pyramid"
    label = "pyramid"
    verbose_name = _("Client pyramid")


# The main menu's entry (users/templates/base.html); its translation lives with this app.
MENU_LABEL = _("Pyramid")
