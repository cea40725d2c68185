"""Production settings refuse to start unsafe; development needs no configuration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SAFERPLACES = str(Path(sys.executable).with_name("saferplaces"))


def _run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    unset = {"SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in unset}
    base.update({"SAFERPLACES_DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [SAFERPLACES, *args], env=base, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_an_unset_secret_key(tmp_path: Path) -> None:
    result = _run(["check"], {"SAFERPLACES_ENV": "production"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_production_settings_pass_check_deploy(tmp_path: Path) -> None:
    env = {
        "SAFERPLACES_ENV": "production",
        "SECRET_KEY": "x" * 20 + "a-long-random-test-only-key-with-entropy-0123456789",
        "ALLOWED_HOSTS": "csp.example.org",
    }
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_development_generates_a_secret_key_in_the_data_directory(tmp_path: Path) -> None:
    result = _run(["check"], {"SAFERPLACES_ENV": "development"}, tmp_path)
    assert result.returncode == 0, result.stderr
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_a_bad_boolean_fails_loudly(tmp_path: Path) -> None:
    result = _run(["check"], {"DEBUG": "perhaps"}, tmp_path)
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


@pytest.mark.parametrize("args", [["--help"], []])
def test_cli_help_lists_our_commands(args: list[str], tmp_path: Path) -> None:
    result = _run(args, {}, tmp_path)
    assert result.returncode == 0
    for command in ("demo", "serve", "import", "indicators"):
        assert command in result.stdout


def _setting(name: str, env: dict[str, str], tmp_path: Path) -> str:
    code = f"from django.conf import settings; print(settings.{name})"
    result = _run(["shell", "--no-imports", "-c", code], env, tmp_path)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("env", "debug"),
    [
        ({}, "False"),
        ({"SAFERPLACES_ENV": "development"}, "False"),
        ({"DEBUG": "true"}, "True"),
    ],
)
def test_debug_is_off_unless_a_developer_turns_it_on(
    env: dict[str, str], debug: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo and development run with DEBUG off (an error shows the GOV.UK page, not
    the settings); `DEBUG=true` turns it on for a developer."""
    monkeypatch.delenv("DEBUG", raising=False)
    assert _setting("DEBUG", env, tmp_path) == debug


def test_sign_in_lockout_is_configured_from_the_environment(tmp_path: Path) -> None:
    env = {"SAFERPLACES_LOGIN_FAILURE_LIMIT": "3", "SAFERPLACES_LOCKOUT_MINUTES": "30"}
    assert _setting("AXES_FAILURE_LIMIT", env, tmp_path) == "3"
    assert _setting("AXES_COOLOFF_TIME", env, tmp_path) == "0:30:00"
    assert _setting("AXES_FAILURE_LIMIT", {}, tmp_path) == "5"
    assert _setting("AXES_COOLOFF_TIME", {}, tmp_path) == "0:15:00"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SAFERPLACES_LOGIN_FAILURE_LIMIT": "five"}, "must be a whole number"),
        ({"SAFERPLACES_LOGIN_FAILURE_LIMIT": "0"}, "must be 1 or more"),
        ({"SAFERPLACES_LOCKOUT_MINUTES": "-5"}, "must be 1 or more"),
    ],
)
def test_a_bad_lockout_setting_fails_loudly(
    env: dict[str, str], message: str, tmp_path: Path
) -> None:
    result = _run(["check"], env, tmp_path)
    assert result.returncode != 0
    assert message in result.stderr
