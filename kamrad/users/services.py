from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from kamrad.users.models import Role, User


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    validate: bool = True,
) -> User:
    """Create a user; an administrator also gets into Django's admin site."""
    user = User(
        username=username,
        role=role,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=role == Role.ADMIN,
    )
    user.full_clean(exclude=["password"])
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.save()
    return user
