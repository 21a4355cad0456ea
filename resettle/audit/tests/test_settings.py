import os
import subprocess
import sys

import pytest

PRODUCTION = {
    "RESETTLE_ENV": "production",
    "SECRET_KEY": "a-production-secret-key-of-some-length-0123456789",
    "RESETTLE_AUDIT_CHECKPOINTS": "/var/lib/resettle-audit/checkpoints.jsonl",
}


def load_settings(**env: str | None) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with this environment (None: unset)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RESETTLE_")}
    merged = {k: v for k, v in (clean | PRODUCTION | env).items() if v is not None}
    return subprocess.run(
        [sys.executable, "-c", "import resettle.settings"],
        env=merged,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_load_with_an_audit_key():
    assert load_settings(RESETTLE_AUDIT_KEY="k" * 32).returncode == 0


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "Set the environment variable RESETTLE_AUDIT_KEY."),
        ({"RESETTLE_AUDIT_KEY": "too-short"}, "at least 32 characters"),
        ({"RESETTLE_AUDIT_KEY": PRODUCTION["SECRET_KEY"]}, "differ from SECRET_KEY"),
    ],
    ids=["missing", "short", "same-as-secret-key"],
)
def test_production_settings_refuse_a_missing_or_weak_audit_key(env, message):
    result = load_settings(**env)

    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_refuse_a_missing_checkpoint_file_setting():
    result = load_settings(RESETTLE_AUDIT_KEY="k" * 32, RESETTLE_AUDIT_CHECKPOINTS=None)

    assert result.returncode != 0
    assert "Set the environment variable RESETTLE_AUDIT_CHECKPOINTS." in result.stderr
