from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class UsersConfig(AppConfig):
    name = "kamrad.users"
    label = "users"
    verbose_name = _("Users")


# Django's own blank choice of a select. Its Russian catalogue lacks it, so ours carries it;
# marked here so that makemessages keeps it.
DJANGO_STRINGS = [gettext_noop("- Select an option -")]
