from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    HEAD = "head", _("Program head")
    MANAGER = "manager", _("Account manager")
    VIEWER = "viewer", _("Management (viewer)")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    """A person who works in Kamrad; what they may see and do follows from `role`."""

    role = models.CharField(
        _("role"), max_length=16, choices=Role.choices, default=Role.MANAGER, db_index=True
    )
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def sees_all_clients(self) -> bool:
        return self.role in {Role.HEAD, Role.VIEWER, Role.ADMIN} or self.is_superuser

    @property
    def can_write(self) -> bool:
        return self.role != Role.VIEWER or self.is_superuser

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER and not self.is_superuser
