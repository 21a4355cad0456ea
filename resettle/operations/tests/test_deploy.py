"""The deployment files in deploy/ keep up with the code: every setting production reads is in
deploy/env.example, the containers and units run management commands that exist, and the
health check asks a real route."""

import ast
import importlib.util
import re
import shlex
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands
from django.urls import resolve

DEPLOY = Path(settings.BASE_DIR) / "deploy"
SETTINGS = Path(settings.BASE_DIR) / "resettle" / "settings.py"
ENV_HELPERS = {"env_str", "env_bool", "env_int", "env_list"}
# Read by the deployment files themselves, not by the settings: where each is used.
DEPLOY_ONLY = {
    "POSTGRES_PASSWORD": "compose.yaml",
    "RESETTLE_DOMAIN": "compose.yaml",
    "RESETTLE_IMAGE": "compose.yaml",
    "RESETTLE_BACKUP_KEEP_DAYS": "backup.sh",
    "WEB_CONCURRENCY": "gunicorn.conf.py",
    "GUNICORN_LOG_LEVEL": "gunicorn.conf.py",
}
SERVICES = {"db", "migrate", "web", "worker", "backup", "proxy"}


def settings_variables() -> dict[str, bool]:
    """Every environment variable resettle/settings.py reads, and whether production requires
    it (an env_str whose default is None outside local development)."""
    found: dict[str, bool] = {}
    for node in ast.walk(ast.parse(SETTINGS.read_text())):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        helper = func.id if isinstance(func, ast.Name) else None
        environ_get = isinstance(func, ast.Attribute) and ast.unparse(func) in {
            "os.environ.get",
            "os.getenv",
        }
        if helper not in ENV_HELPERS and not environ_get:
            continue
        name = node.args[0]
        if not isinstance(name, ast.Constant) or not isinstance(name.value, str):
            continue
        default = node.args[1] if len(node.args) > 1 else None
        required = helper == "env_str" and (
            default is None
            or (isinstance(default, ast.Constant) and default.value is None)
            or (
                isinstance(default, ast.IfExp)
                and isinstance(default.orelse, ast.Constant)
                and default.orelse.value is None
            )
        )
        found[name.value] = found.get(name.value, False) or required
    return found


def env_example() -> dict[str, bool]:
    """Each variable deploy/env.example names, and whether its line is set (not commented)."""
    names: dict[str, bool] = {}
    for line in (DEPLOY / "env.example").read_text().splitlines():
        match = re.match(r"^(#\s*)?([A-Z][A-Z0-9_]*)=", line)
        if match:
            names[match.group(2)] = names.get(match.group(2), False) or not match.group(1)
    return names


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def units() -> dict[str, list[tuple[str, str]]]:
    """Each systemd unit's (key, value) lines; keys repeat (SystemCallFilter=), so no dict."""
    parsed = {}
    for path in sorted((DEPLOY / "systemd").iterdir()):
        lines = []
        for line in path.read_text().splitlines():
            if "=" in line and not line.startswith(("#", ";", "[")):
                key, value = line.split("=", 1)
                lines.append((key.strip(), value.strip()))
        parsed[path.name] = lines
    return parsed


def management_commands_in(words: list[str]) -> list[str]:
    return [words[i + 1] for i, word in enumerate(words[:-1]) if word.endswith("manage.py")]


def healthcheck_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("healthcheck", DEPLOY / "healthcheck.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_settings_parser_finds_the_settings():
    found = settings_variables()

    # A parser that silently found nothing would pass every test below.
    assert {"SECRET_KEY", "DATABASE_URL", "RESETTLE_AUDIT_KEY", "ALLOWED_HOSTS"} <= set(found)
    assert found["SECRET_KEY"] and found["RESETTLE_AUDIT_KEY"]
    assert not found["DATABASE_URL"]


def test_every_variable_the_settings_read_is_in_env_example():
    missing = sorted(set(settings_variables()) - set(env_example()))

    assert not missing, f"Add these to deploy/env.example, with a comment: {missing}"


def test_every_variable_production_requires_is_set_in_env_example():
    required = {name for name, needed in settings_variables().items() if needed}
    listed = env_example()

    assert required, "the settings require some secrets in production"
    assert sorted(name for name in required if not listed.get(name)) == []
    text = (DEPLOY / "env.example").read_text()
    for name in required:
        comment = text.split(f"\n{name}=")[0].rsplit("\n\n", 1)[-1]
        assert "REQUIRED" in comment, f"say {name} is required in deploy/env.example"


def test_env_example_names_nothing_the_settings_or_deploy_files_do_not_read():
    stale = set(env_example()) - set(settings_variables()) - set(DEPLOY_ONLY)

    assert not stale, f"Nothing reads these any more: {sorted(stale)}"
    for name, where in DEPLOY_ONLY.items():
        assert name in (DEPLOY / where).read_text(), f"{where} no longer reads {name}"


def test_compose_has_its_services_and_their_commands_exist():
    services = compose()["services"]
    commands = get_commands()
    containerfile = (DEPLOY / "Containerfile").read_text()

    assert set(services) == SERVICES
    for name, service in services.items():
        command = service.get("command") or []
        if isinstance(command, str):
            command = shlex.split(command)
        for script in [word for word in command if word.startswith("deploy/")]:
            assert (Path(settings.BASE_DIR) / script).is_file(), f"{name}: {script}"
            # The image copies deploy/ files one by one (never deploy/.env).
            assert script in containerfile, f"{name} runs {script}, which the image lacks"
        for command_name in management_commands_in(command):
            assert command_name in commands, f"{name} runs manage.py {command_name}"
    assert management_commands_in(services["migrate"]["command"]) == ["migrate"]
    assert management_commands_in(services["worker"]["command"]) == ["worker"]
    assert "resettle.wsgi:application" in services["web"]["command"]
    assert services["db"]["image"].startswith("postgres:16")


def test_the_backup_script_runs_commands_that_exist():
    script = (DEPLOY / "backup.sh").read_text()

    run = re.findall(r'^[^#]*"\$python" manage\.py (\w+)', script, re.MULTILINE)
    assert run == ["backup", "verify_backup"]
    assert all(name in get_commands() for name in run)
    # It finds the file by what `manage.py backup` prints.
    assert "${output#Backup written to }" in script
    source = (
        Path(settings.BASE_DIR) / "resettle/operations/management/commands/backup.py"
    ).read_text()
    assert 'f"Backup written to {path} (checksum in' in source


def test_what_the_app_writes_is_on_volumes_not_the_read_only_image():
    services = compose()["services"]

    for name in ("web", "worker", "migrate", "backup"):
        service = services[name]
        assert service["read_only"] is True
        environment = service["environment"]
        mounts = [volume.split(":")[1] for volume in service.get("volumes", [])]
        if name == "worker":
            # The worker appends audit checkpoints (the write_checkpoint task).
            checkpoints = Path(environment["RESETTLE_AUDIT_CHECKPOINTS"])
            assert str(checkpoints.parent) in mounts
        if name == "backup":
            assert environment["RESETTLE_BACKUP_DIR"] in mounts


def test_the_systemd_units_run_commands_that_exist_hardened():
    commands = get_commands()
    parsed = units()
    services = {name for name in parsed if name.endswith(".service")}

    assert {"resettle-web.service", "resettle-worker.service", "resettle-backup.service"} <= (
        services
    )
    for name in services:
        lines = parsed[name]
        values = dict(lines)
        assert values["User"] == "resettle", name
        assert values["EnvironmentFile"] == "/etc/resettle/resettle.env", name
        for hardening in ("NoNewPrivileges", "PrivateTmp"):
            assert values[hardening] == "yes", f"{name}: {hardening}"
        assert values["ProtectSystem"] == "strict", name
        start = shlex.split(values["ExecStart"])
        for command_name in management_commands_in(start):
            assert command_name in commands, f"{name} runs manage.py {command_name}"
        for script in [word for word in start if word.startswith("deploy/")]:
            assert (Path(settings.BASE_DIR) / script).is_file(), f"{name}: {script}"
    assert "/var/lib/resettle/backups" in dict(parsed["resettle-backup.service"])["ReadWritePaths"]
    for timer in [name for name in parsed if name.endswith(".timer")]:
        assert timer.replace(".timer", ".service") in services, timer


def test_the_gunicorn_config_and_application_are_where_the_commands_say():
    containerfile = (DEPLOY / "Containerfile").read_text()
    web = dict(units()["resettle-web.service"])["ExecStart"]

    for command in (containerfile, web, " ".join(compose()["services"]["web"]["command"])):
        assert "deploy/gunicorn.conf.py" in command
        assert "resettle.wsgi:application" in command
    assert (DEPLOY / "gunicorn.conf.py").is_file()
    assert settings.WSGI_APPLICATION == "resettle.wsgi.application"


def test_the_proxy_sets_the_request_id_header_the_app_reads():
    caddyfile = (DEPLOY / "Caddyfile").read_text()
    header = settings.DJANGO_GUID["GUID_HEADER_NAME"]

    assert re.search(rf"header_up {re.escape(header)} \{{http\.request\.uuid\}}", caddyfile)
    assert "reverse_proxy web:8000" in caddyfile
    assert "0.0.0.0:8000" in compose()["services"]["web"]["command"]


def test_the_health_check_asks_a_real_route():
    path = healthcheck_module().PATH

    assert resolve(path).url_name == "healthz"
    assert "deploy/healthcheck.py" in (DEPLOY / "Containerfile").read_text()


def test_the_health_check_names_an_allowed_host(monkeypatch):
    check = healthcheck_module()

    monkeypatch.setenv("ALLOWED_HOSTS", " .example.org , resettle.example.org")
    assert check.host() == "example.org"
    monkeypatch.setenv("ALLOWED_HOSTS", "*")
    assert check.host() == "localhost"


@pytest.mark.django_db(transaction=True)
def test_the_health_check_passes_against_a_running_server(live_server, monkeypatch):
    check = healthcheck_module()
    monkeypatch.setenv("ALLOWED_HOSTS", "localhost")
    monkeypatch.setenv("HEALTHCHECK_PORT", str(live_server.url.rsplit(":", 1)[1]))

    assert check.main() == 0
