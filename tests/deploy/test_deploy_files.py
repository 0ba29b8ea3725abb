"""deploy/compose.yaml (containers) and deploy/local.sh (this machine) describe the same
topology: the same services, the same settings from deploy/app.env, the same commands, the
same proxy configuration and the same health checks. Images cannot be built here (no
container daemon), so this is what keeps the compose file honest."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
LOCAL_SH = DEPLOY / "local.sh"
PORT = 18400
REPLICAS = 3

sys.path.insert(0, str(DEPLOY))
from healthcheck import health_path  # noqa: E402


def _haproxy() -> str:
    found = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(found).is_file():
        message = "haproxy not installed (apt-get install haproxy)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def local_sh(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    _haproxy()
    return subprocess.run(
        [str(LOCAL_SH), *args],
        env={**os.environ, "DIH_DASH_COOKIE_SECRET": "test-secret", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def plan(tmp_path: Path, **env: str) -> dict[str, dict]:
    """local.sh's processes: name -> {role, env, command, health}."""
    out = local_sh(
        "plan",
        "--replicas",
        str(REPLICAS),
        "--port",
        str(PORT),
        DIH_DASH_RUN_DIR=str(tmp_path / "run"),
        **env,
    )
    assert out.returncode == 0, out.stderr
    processes: dict[str, dict] = {}
    current: dict = {}
    for line in out.stdout.splitlines():
        word, _, rest = line.partition(" ")
        if word == "process":
            name, role = rest.split()
            current = processes[name] = {"role": role, "env": {}, "command": [], "health": None}
        elif word == "env":
            key, _, value = rest.partition("=")
            current["env"][key] = value
        elif word == "command":
            current["command"] = shlex.split(rest)
        elif word == "health":
            current["health"] = rest
    return processes


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def app_env() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "app.env").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values


def dockerfile_instruction(name: str) -> str:
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    found = [line for line in text.splitlines() if line.startswith(f"{name} ")]
    assert len(found) == 1, f"one {name} in the Dockerfile"
    return found[0][len(name) + 1 :].strip()


def servers_block(config: str) -> tuple[list[str], list[str]]:
    """(the lines outside the servers block, the lines inside it)."""
    outside, inside, within = [], [], False
    for line in config.splitlines():
        if re.match(r"\s*# END servers", line):
            within = False
        if within:
            inside.append(line.strip())
        else:
            outside.append(line)
        if re.match(r"\s*# BEGIN servers", line):
            within = True
    return outside, [line for line in inside if line and not line.startswith("#")]


# --- the same services -----------------------------------------------------------------------


def test_the_same_services(compose, tmp_path):
    processes = plan(tmp_path)
    assert set(compose["services"]) == {"db", "app", "worker", "proxy"}
    # PostgreSQL is the one service local.sh does not start: DIH_DASH_DATABASE_URL names it.
    assert {p["role"] for p in processes.values()} == set(compose["services"]) - {"db"}
    replicas = [name for name, p in processes.items() if p["role"] == "app"]
    assert len(replicas) == REPLICAS
    assert compose["services"]["app"]["deploy"]["replicas"] == "${DIH_DASH_REPLICAS:-2}"


def test_the_same_commands(compose, tmp_path):
    processes = plan(tmp_path)
    app = compose["services"]["app"]["command"]
    assert app == json.loads(dockerfile_instruction("CMD")), "compose runs the image's command"
    assert app[:2] == ["dih-dash", "serve"]
    for i in range(1, REPLICAS + 1):
        command = processes[f"replica-{i}"]["command"]
        assert Path(command[0]).name == "dih-dash"
        # The same command and options; only where it listens differs.
        assert command[1:] == [
            "serve",
            "--port",
            str(PORT + i),
            "--address",
            "127.0.0.1",
        ]
        assert command[1] == app[1] and command[2::2] == app[2::2]
    worker = processes["worker"]["command"]
    assert [Path(worker[0]).name, *worker[1:]] == compose["services"]["worker"]["command"]
    assert compose["services"]["worker"]["command"] == ["dih-dash", "worker"]


def test_the_same_settings(compose, tmp_path):
    shared = app_env()
    assert shared, "deploy/app.env holds the shared settings"
    services = compose["services"]
    processes = plan(tmp_path)
    for name in ("app", "worker"):
        assert "app.env" in services[name]["env_file"]
        environment = services[name]["environment"]
        assert environment["DIH_DASH_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "@db:5432/" in environment["DIH_DASH_DATABASE_URL"]
        assert environment["STREAMLIT_SERVER_COOKIE_SECRET"].startswith("${DIH_DASH_COOKIE_SECRET")
        assert environment["STREAMLIT_SERVER_BASE_URL_PATH"] == "${DIH_DASH_BASE_PATH:-}"
    for name, process in processes.items():
        if process["role"] == "proxy":
            continue
        for key, value in shared.items():
            assert process["env"].get(key) == value, f"{name}: {key} as in app.env"
        for key in ("STREAMLIT_SERVER_COOKIE_SECRET", "DIH_DASH_DATABASE_URL"):
            assert process["env"][key] == "(set)", f"{name}: {key} shared like in compose"
        assert process["env"]["STREAMLIT_SERVER_BASE_URL_PATH"] == ""
    # Each replica its own data folder: what they share goes through PostgreSQL.
    folders = [p["env"]["DIH_DASH_DATA_DIR"] for p in processes.values() if p["role"] != "proxy"]
    assert len(set(folders)) == len(folders)
    # Saved column mappings are files, one folder for all (compose: one volume).
    mappings = {
        p["env"]["DIH_DASH_MAPPINGS_DIR"] for p in processes.values() if p["role"] != "proxy"
    }
    assert len(mappings) == 1 and mappings.pop().endswith("/mappings")
    for name in ("app", "worker"):
        target = services[name]["environment"]["DIH_DASH_MAPPINGS_DIR"]
        data_volumes = [v for v in services[name]["volumes"] if not v.startswith("./")]
        assert data_volumes == [f"mappings:{target}"], "no data folder on a volume"
    assert "mappings" in compose["volumes"]
    assert "DIH_DASH_DATA_DIR=/var/lib/dih-dash" in dockerfile_instruction("ENV")


def test_an_environment_variable_wins_over_app_env(tmp_path):
    key, value = next(iter(app_env().items()))
    processes = plan(tmp_path, **{key: value + "-overridden"})
    assert processes["replica-1"]["env"][key] == value + "-overridden"


def test_the_same_secrets_and_proxy_settings(compose, tmp_path):
    proxy = compose["services"]["proxy"]
    local = plan(tmp_path)["proxy"]
    assert set(proxy["environment"]) == set(local["env"])
    assert proxy["environment"]["DIH_DASH_COOKIE_SECRET"].startswith("${DIH_DASH_COOKIE_SECRET")
    assert local["env"]["DIH_DASH_PROXY_BIND"] == f"127.0.0.1:{PORT}"
    assert proxy["environment"]["DIH_DASH_PROXY_BIND"] == ":8080"
    assert "./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in proxy["volumes"]
    assert Path(local["command"][-1]).name == "haproxy.cfg"


# --- the same proxy configuration ------------------------------------------------------------


def test_the_proxy_configuration_differs_only_in_its_servers(tmp_path):
    template = (DEPLOY / "haproxy.cfg").read_text()
    out = local_sh(
        "config",
        "--replicas",
        str(REPLICAS),
        "--port",
        str(PORT),
        DIH_DASH_RUN_DIR=str(tmp_path / "run"),
    )
    assert out.returncode == 0, out.stderr
    shared, compose_servers = servers_block(template)
    local_shared, local_servers = servers_block(out.stdout)
    assert local_shared == shared
    assert compose_servers == ["server-template app 1-8 app:8501 resolvers docker init-addr none"]
    assert local_servers == [f"server app{i} 127.0.0.1:{PORT + i}" for i in range(1, REPLICAS + 1)]
    # What the replicas need from the proxy, in the shared part.
    for needed in (
        "cookie DIHDASH insert indirect nocache httponly dynamic",
        'dynamic-cookie-key "${DIH_DASH_COOKIE_SECRET}"',
        "option redispatch",
        "timeout tunnel 1h",
        'option httpchk GET "${DIH_DASH_HEALTH_PATH}"',
        "http-check expect string ok",
    ):
        assert any(line.strip() == needed for line in shared), needed


@pytest.mark.parametrize("which", ["compose", "local"])
def test_haproxy_accepts_both_configurations(tmp_path, which):
    haproxy = _haproxy()
    config = tmp_path / "haproxy.cfg"
    if which == "compose":
        config.write_text((DEPLOY / "haproxy.cfg").read_text())
    else:
        config.write_text(local_sh("config", DIH_DASH_RUN_DIR=str(tmp_path / "run")).stdout)
    checked = subprocess.run(
        [haproxy, "-c", "-f", str(config)],
        env={
            **os.environ,
            "DIH_DASH_PROXY_BIND": "127.0.0.1:18399",
            "DIH_DASH_COOKIE_SECRET": "x",
            "DIH_DASH_HEALTH_PATH": "/_stcore/health",
        },
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


# --- the same health checks ------------------------------------------------------------------


def test_the_same_health_checks(compose, tmp_path):
    check = ["python", "/app/deploy/healthcheck.py", "http://127.0.0.1:8501"]
    healthcheck = dockerfile_instruction("HEALTHCHECK")
    assert healthcheck.endswith("CMD " + json.dumps(check))
    assert compose["services"]["app"]["healthcheck"]["test"] == ["CMD", *check]
    assert compose["services"]["db"]["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    assert compose["services"]["app"]["depends_on"]["db"]["condition"] == "service_healthy"
    proxy_path = compose["services"]["proxy"]["environment"]["DIH_DASH_HEALTH_PATH"]
    assert proxy_path == "${DIH_DASH_BASE_PATH:-}/_stcore/health"

    processes = plan(tmp_path)
    assert processes["proxy"]["env"]["DIH_DASH_HEALTH_PATH"] == "/_stcore/health"
    for i in range(1, REPLICAS + 1):
        assert (
            processes[f"replica-{i}"]["health"] == f"http://127.0.0.1:{PORT + i}{health_path('')}"
        )
    assert processes["proxy"]["health"] == f"http://127.0.0.1:{PORT}/_stcore/health"


def test_a_base_path_moves_every_health_check(tmp_path):
    processes = plan(tmp_path, DIH_DASH_BASE_PATH="/dashboard")
    assert health_path("/dashboard") == "/dashboard/_stcore/health"
    assert processes["proxy"]["env"]["DIH_DASH_HEALTH_PATH"] == "/dashboard/_stcore/health"
    assert processes["replica-1"]["env"]["STREAMLIT_SERVER_BASE_URL_PATH"] == "/dashboard"
    assert processes["replica-1"]["health"].endswith(f":{PORT + 1}/dashboard/_stcore/health")


# --- the image -------------------------------------------------------------------------------


def test_the_image_is_slim_unprivileged_and_ships_what_the_app_reads():
    text = (DEPLOY / "Dockerfile").read_text()
    assert dockerfile_instruction("FROM").startswith("python:3.11-slim")
    user = dockerfile_instruction("USER")
    assert user not in ("root", "0")
    assert re.search(rf"useradd .*{user}", text)
    assert "ARG WITH_CHROMIUM=0" in text
    for source in re.findall(r"^COPY (\S+)", text, flags=re.M):
        for part in source.split():
            assert (ROOT / part).exists(), f"the Dockerfile copies {part}, which is missing"


# --- local.sh refuses clearly ----------------------------------------------------------------


def test_up_without_a_database_says_what_to_set(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DIH_DASH_DATABASE_URL"}
    _haproxy()
    out = subprocess.run(
        [str(LOCAL_SH), "up", "--replicas", "1", "--port", str(PORT)],
        env={**env, "DIH_DASH_RUN_DIR": str(tmp_path / "run")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode != 0
    assert "set DIH_DASH_DATABASE_URL" in out.stderr
    assert out.stdout == ""


def test_up_with_an_unreachable_database_fails_before_starting_anything(tmp_path):
    out = local_sh(
        "up",
        "--replicas",
        "1",
        "--port",
        str(PORT),
        DIH_DASH_RUN_DIR=str(tmp_path / "run"),
        DIH_DASH_DATABASE_URL="postgresql+psycopg://dih:dih@127.0.0.1:9/nowhere",
    )
    assert out.returncode != 0
    assert "cannot connect to DIH_DASH_DATABASE_URL" in out.stderr
    assert not list((tmp_path / "run").glob("*.pid"))


def test_bad_options_are_refused(tmp_path):
    out = local_sh("up", "--replicas", "0", DIH_DASH_RUN_DIR=str(tmp_path / "run"))
    assert out.returncode != 0 and "--replicas" in out.stderr
    assert local_sh("sideways").returncode != 0
