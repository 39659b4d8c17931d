"""The deploy files say what docs/deploy.md promises: a hardened unit, a compose file with health checks."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNIT = DEPLOY / "news-monitor.service"


def _unit_sections() -> dict[str, dict[str, list[str]]]:
    """systemd units repeat keys (SystemCallFilter=); keep every value."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in UNIT.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def test_unit_is_hardened() -> None:
    service = _unit_sections()["Service"]
    expected = {
        "DynamicUser": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes", "NoNewPrivileges": "yes",
        "ProtectHome": "yes", "Restart": "on-failure", "ReadWritePaths": "/var/lib/news-monitor",
        "StateDirectory": "news-monitor",
    }
    for key, value in expected.items():
        assert service.get(key) == [value], key
    families = set(service["RestrictAddressFamilies"][0].split())
    assert families == {"AF_INET", "AF_INET6", "AF_UNIX"}
    assert service["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert service["CapabilityBoundingSet"] == [""]  # no capabilities at all
    assert service["ExecStart"][0].split()[1:] == ["run", "--config", "/etc/news-monitor/monitor.toml"]


def test_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (apt-get install systemd)")
    # verify insists that ExecStart exists; point it at this interpreter instead of /opt/news-monitor.
    import sys

    text = UNIT.read_text().replace("/opt/news-monitor/venv/bin/monitor", f"{sys.executable} -m monitor")
    copy = tmp_path / UNIT.name
    copy.write_text(text)
    done = subprocess.run(["systemd-analyze", "verify", str(copy)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Unknown key" not in done.stderr, done.stderr


def test_compose_runs_the_daemon_beside_postgres_with_health_checks() -> None:
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed; cannot parse deploy/compose.yaml")
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "monitor"}
    db, monitor = services["db"], services["monitor"]
    assert db["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert monitor["depends_on"]["db"]["condition"] == "service_healthy"
    assert "/healthz" in " ".join(monitor["healthcheck"]["test"])
    assert monitor["environment"]["MONITOR_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "@db:5432/" in monitor["environment"]["MONITOR_DATABASE_URL"]
    assert monitor["env_file"] == ["monitor.env"]
    assert (DEPLOY / monitor["build"]["context"] / monitor["build"]["dockerfile"]).is_file()
    assert monitor["cap_drop"] == ["ALL"] and monitor["read_only"] is True


def _compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True,
                                                 timeout=30).returncode == 0:
        return ["docker", "compose"]
    return None


def test_compose_file_passes_compose_config(tmp_path: Path) -> None:
    command = _compose_command()
    if command is None:
        pytest.skip("neither docker-compose nor the docker compose plugin is installed")
    # `config` only parses and interpolates: no engine needed. env_file must exist beside the file.
    work = tmp_path / "deploy"
    shutil.copytree(DEPLOY, work)
    shutil.copy(work / "monitor.env.example", work / "monitor.env")
    args = ["--env-file", str(work / "monitor.env"), "-f", str(work / "compose.yaml"), "config"]
    done = subprocess.run([*command, *args], capture_output=True, text=True, timeout=60, cwd=work)
    assert done.returncode == 0, done.stderr
    assert "postgresql+psycopg://monitor:change-me@db:5432/monitor" in done.stdout


def test_containerfile_runs_as_a_non_root_user() -> None:
    lines = [line.strip() for line in (DEPLOY / "Containerfile").read_text().splitlines()]
    assert next(line for line in lines if line.startswith("FROM ")) == "FROM python:3.11-slim"
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    assert any(line.startswith("RUN pip install .") for line in lines)
    assert any(line.startswith("HEALTHCHECK") for line in lines)


def test_env_example_names_every_secret_the_example_config_uses() -> None:
    import re

    config = (DEPLOY.parent / "config" / "monitor.example.toml").read_text()
    settings = "\n".join(line for line in config.splitlines() if re.match(r"\s*#?\s*\w+\s*=", line))
    used = set(re.findall(r"\$\{([A-Z0-9_]+)\}", settings))  # commented ones too: users uncomment them
    assert {"SMTP_PASSWORD", "CHAT_APPRISE_URL", "WEBHOOK_SECRET"} <= used
    example = (DEPLOY / "monitor.env.example").read_text()
    defined = set(re.findall(r"^#?\s*([A-Z0-9_]+)=", example, flags=re.M))
    assert used <= defined, used - defined
    assert "MONITOR_DATABASE_URL" in defined


def _containerfile_env() -> dict[str, str]:
    """The ENV instructions of the Containerfile (KEY=VALUE pairs, continuation lines joined)."""
    text = (DEPLOY / "Containerfile").read_text().replace("\\\n", " ")
    env: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            env.update(pair.split("=", 1) for pair in line[4:].split())
    return env


def _load_example_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> Any:
    from monitor.config import load_config

    for name in ("MONITOR_DATABASE_URL", "MONITOR_METRICS_HOST", "MONITOR_WEB_HOST", "MONITOR_WEB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name in ("SMTP_PASSWORD", "CHAT_APPRISE_URL", "WEBHOOK_SECRET"):
        monkeypatch.setenv(name, "x")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = tmp_path / "etc" / "news-monitor" / "monitor.toml"
    config.parent.mkdir(parents=True)
    shutil.copy(DEPLOY.parent / "config" / "monitor.example.toml", config)
    return load_config(config)


def test_container_serves_metrics_on_the_port_expose_names_beyond_its_loopback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    text = (DEPLOY / "Containerfile").read_text()
    (exposed,) = re.findall(r"^EXPOSE (\d+)$", text, flags=re.M)
    (checked,) = re.findall(r"^HEALTHCHECK .*http://127\.0\.0\.1:(\d+)/healthz", text.replace("\\\n", " "),
                            flags=re.M)
    token = "t" * 24  # beyond loopback the server starts only with a token (docs/deploy.md)
    environment = {**_containerfile_env(), "MONITOR_WEB_TOKEN": token}
    settings = _load_example_config(tmp_path, monkeypatch, environment)
    assert settings.web.host == "0.0.0.0"  # 127.0.0.1 inside a container reaches nobody
    assert settings.web.port == int(exposed) == int(checked)
    assert settings.web.token_value == token


def test_unit_without_its_environment_file_keeps_sqlite_in_its_state_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    service = _unit_sections()["Service"]
    assert all(path.startswith("-") for path in service["EnvironmentFile"])  # optional
    env = dict(pair.split("=", 1) for line in service.get("Environment", []) for pair in line.split())
    settings = _load_example_config(tmp_path, monkeypatch, env)
    state = Path("/var/lib") / service["StateDirectory"][0]
    assert settings.database.url == f"sqlite:///{state}/monitor.db"
    assert str(state) in service["ReadWritePaths"]
