from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token


def run(*args: str) -> str:
    out = StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db
class TestTokenCommand:
    def test_it_prints_the_users_token_and_keeps_it(self, alice):
        key = run("alice")
        assert Token.objects.get(user=alice).key == key
        assert run("alice") == key

    def test_it_rotates_a_token(self, alice):
        old = run("alice")
        new = run("alice", "--rotate")
        assert new != old
        assert Token.objects.get(user=alice).key == new

    def test_it_revokes_a_token(self, alice):
        run("alice")
        assert "withdrawn" in run("alice", "--revoke")
        assert not Token.objects.exists()

    def test_it_refuses_an_unknown_user(self, db):
        with pytest.raises(CommandError, match="No user"):
            run("nobody")

    def test_it_refuses_a_deactivated_user(self, alice):
        alice.is_active = False
        alice.save(update_fields=["is_active"])
        with pytest.raises(CommandError, match="deactivated"):
            run("alice")
        assert not Token.objects.exists()
