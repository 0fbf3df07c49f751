"""Production settings pass Django's deployment checklist; the secret key looks after itself."""

from __future__ import annotations

import os
import secrets
import stat
import string
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRINT_SECRET_KEY = "from kamrad import settings; print(settings.SECRET_KEY)"


def clean_environment(var_dir: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without any KAMRAD_* or DJANGO_* variable, plus `extra`.

    The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for this whole process; a server must
    never run with it, and the deploy check rightly refuses it.
    """
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("KAMRAD_", "DJANGO_"))
    }
    env.update(KAMRAD_VAR_DIR=str(var_dir), **extra)
    return env


def production_environment(var_dir: Path) -> dict[str, str]:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return clean_environment(
        var_dir,
        KAMRAD_DEBUG="0",
        KAMRAD_HTTPS="1",
        KAMRAD_SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(64)),
        KAMRAD_ALLOWED_HOSTS="kamrad.example.com",
    )


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    result = deploy_check(production_environment(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_fails_when_https_is_not_configured(tmp_path: Path) -> None:
    # The control: the same check must notice insecure settings, or the test above proves nothing.
    env = production_environment(tmp_path)
    del env["KAMRAD_HTTPS"]

    result = deploy_check(env)

    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "security.W008" in output  # no SECURE_SSL_REDIRECT
    assert "security.W012" in output  # session cookie not secure


def test_without_a_secret_key_one_is_generated_once_and_reused(tmp_path: Path) -> None:
    env = clean_environment(tmp_path)

    first = subprocess.run(
        [sys.executable, "-c", PRINT_SECRET_KEY], cwd=ROOT, env=env, capture_output=True, text=True
    )
    second = subprocess.run(
        [sys.executable, "-c", PRINT_SECRET_KEY], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "secret_key"
    key = key_file.read_text().strip()
    assert len(key) >= 50
    assert first.stdout.strip() == key
    assert second.stdout.strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_processes_starting_together_share_one_generated_key(tmp_path: Path) -> None:
    # Several server workers starting at once on a fresh machine must not each invent a key
    # (sessions would break between them) nor read a half-written file.
    env = clean_environment(tmp_path)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", PRINT_SECRET_KEY],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    outputs = [process.communicate(timeout=60) for process in processes]

    assert [p.returncode for p in processes] == [0] * 8, [err for _, err in outputs]
    keys = {out.strip() for out, _ in outputs}
    assert keys == {(tmp_path / "secret_key").read_text().strip()}


def test_a_given_secret_key_is_used_and_nothing_is_written(tmp_path: Path) -> None:
    env = clean_environment(tmp_path, KAMRAD_SECRET_KEY="k" * 64)

    result = subprocess.run(
        [sys.executable, "-c", PRINT_SECRET_KEY], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert result.stdout.strip() == "k" * 64
    assert not (tmp_path / "secret_key").exists()
