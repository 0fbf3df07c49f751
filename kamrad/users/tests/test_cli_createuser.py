import pytest
from django.core.management import CommandError, call_command

from kamrad.users.models import Role, User

pytestmark = pytest.mark.django_db


def test_it_creates_a_user_with_a_role_and_an_argon2_hash(capsys):
    call_command("createuser", "anna", "--role", "head", "--password", "a long pass phrase 42")
    user = User.objects.get(username="anna")
    assert user.role == Role.HEAD
    assert user.password.startswith("argon2")
    assert user.check_password("a long pass phrase 42")
    assert "Created anna" in capsys.readouterr().out


def test_it_lets_an_administrator_into_the_admin_site():
    call_command("createuser", "root2", "--role", "admin", "--password", "a long pass phrase 42")
    assert User.objects.get(username="root2").is_staff


def test_it_refuses_a_weak_password_and_creates_nothing():
    with pytest.raises(CommandError, match="too short|too common"):
        call_command("createuser", "weak", "--role", "manager", "--password", "123")
    assert not User.objects.filter(username="weak").exists()


def test_it_refuses_an_existing_username(alice):
    with pytest.raises(CommandError, match="exists already"):
        call_command("createuser", "alice", "--password", "a long pass phrase 42")
