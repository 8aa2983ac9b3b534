"""Production settings and static files: what a deployment relies on."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", env={"DJANGO_SETTINGS_MODULE": "newsroom.settings.production"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set in production" in result.stderr


def test_production_passes_the_deployment_checklist():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_SETTINGS_MODULE": "newsroom.settings.production",
            "DJANGO_SECRET_KEY": "x" * 20
            + "-a-long-random-production-key-for-the-check-only-"
            + "y" * 20,
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_collectstatic_writes_compressed_content_hashed_files(tmp_path):
    result = run_manage(
        "collectstatic",
        "--noinput",
        env={
            "DJANGO_SETTINGS_MODULE": "newsroom.settings.production",
            "DJANGO_SECRET_KEY": "collectstatic-only-" + "z" * 40,
            "DJANGO_STATIC_ROOT": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stderr
    hashed = [p.name for p in (tmp_path / "css").glob("site.*.css")]
    assert hashed, "no content-hashed site.css"
    assert (tmp_path / "css" / f"{hashed[0]}.gz").exists()
    assert (tmp_path / "staticfiles.json").exists()


@pytest.mark.parametrize(
    ("module", "debug_env", "expected"),
    [
        ("newsroom.settings.local", None, "False"),
        ("newsroom.settings.local", "1", "True"),
        ("newsroom.settings.test", None, "False"),
    ],
)
def test_debug_is_off_unless_the_environment_turns_it_on(module, debug_env, expected):
    env = {"DJANGO_SETTINGS_MODULE": module}
    if debug_env:
        env["DJANGO_DEBUG"] = debug_env
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.DEBUG)", env=env
    )
    assert result.stdout.strip().splitlines()[-1] == expected


@pytest.mark.parametrize(("value", "expected"), [("", "0"), ("1", "1")])
def test_trusted_proxy_count_comes_from_the_environment(value, expected):
    env = {"DJANGO_SETTINGS_MODULE": "newsroom.settings.production", "DJANGO_SECRET_KEY": "k" * 50}
    if value:
        env["NEWSROOM_TRUSTED_PROXY_COUNT"] = value
    code = "from django.conf import settings; print(settings.NEWSROOM_TRUSTED_PROXY_COUNT)"
    result = run_manage("shell", "-c", code, env=env)
    assert result.stdout.strip().splitlines()[-1] == expected, result.stderr
