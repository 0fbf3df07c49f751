from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from kamrad.users.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Administrators manage users and their roles here (Django's admin site, /admin/)."""

    list_display = ("username", "first_name", "last_name", "email", "role", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Kamrad"), {"fields": ("role", "phone")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Kamrad"), {"fields": ("role", "first_name", "last_name", "email")}),
    )
