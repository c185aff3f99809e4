"""The Dockerfile and compose.yaml run the commands docs/deploy.md documents, with settings the
app knows. (No Docker engine here: the files are checked, not built.)"""

from __future__ import annotations

import re

import yaml
from typer.testing import CliRunner

from app.cli import cli
from app.config import PROJECT_ROOT, Settings
from tests.support.docs import doc

DEPLOY_DOC = doc("deploy.md")
DOCKERFILE = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text(encoding="utf-8"))
SETTINGS = {name.upper() for name in Settings.model_fields}


def deploy_commands() -> list[str]:
    """The commands of docs/deploy.md's Deploy section, in order (its first sh block)."""
    section = DEPLOY_DOC.split("## Deploy", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_docs_name_three_commands_the_cli_has() -> None:
    commands = deploy_commands()
    assert commands == ["jinzhong migrate", "jinzhong seed", "jinzhong serve"]
    listed = CliRunner().invoke(cli, ["--help"]).output
    for command in commands:
        assert re.search(rf"│ {command.split()[1]}\s", listed), command


def test_dockerfile_runs_them_in_order() -> None:
    cmd = re.search(r"^CMD (.+)$", DOCKERFILE, re.MULTILINE)
    assert cmd is not None
    assert yaml.safe_load(cmd.group(1)) == [
        "sh",
        "-c",
        " && ".join(deploy_commands()).replace("jinzhong serve", "exec jinzhong serve"),
    ]


def test_dockerfile_is_slim_multi_stage_non_root_with_healthcheck() -> None:
    stages = re.findall(r"^FROM (\S+)", DOCKERFILE, re.MULTILINE)
    assert len(stages) >= 2
    assert all(image.endswith("-slim") for image in stages)
    user = re.search(r"^USER (\S+)", DOCKERFILE, re.MULTILINE)
    assert user is not None
    assert user.group(1) not in {"root", "0"}
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", DOCKERFILE, re.MULTILINE)
    assert 'VOLUME ["/data"]' in DOCKERFILE
    assert "EXPOSE 8000" in DOCKERFILE
    # Every variable the image sets (ENV instructions, continued lines included) is a setting
    # of the app or one of Python's and pip's.
    env_blocks = re.findall(r"^ENV ((?:.*\\\n)*.*)$", DOCKERFILE, re.MULTILINE)
    names = {n for block in env_blocks for n in re.findall(r"([A-Z_]+)=", block)}
    assert {"DATABASE_URL", "HOST", "PORT", "PIP_NO_CACHE_DIR"} <= names
    python = {"PATH", "PYTHONUNBUFFERED", "PIP_NO_CACHE_DIR", "PIP_DISABLE_PIP_VERSION_CHECK"}
    assert names <= SETTINGS | python, names - SETTINGS - python


def test_compose_has_postgres_a_one_shot_migration_and_two_replicas() -> None:
    services = COMPOSE["services"]
    databases = [s for s in services.values() if str(s.get("image", "")).startswith("postgres")]
    assert len(databases) == 1
    migrate, seed, serve = deploy_commands()
    one_shot = [
        s for s in services.values() if s.get("command") == ["sh", "-c", f"{migrate} && {seed}"]
    ]
    assert len(one_shot) == 1
    assert one_shot[0]["restart"] == "no"
    replicas = [s for s in services.values() if s.get("command") == serve.split()]
    assert len(replicas) == 2
    for replica in replicas:
        assert replica["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "/readyz" in " ".join(replica["healthcheck"]["test"])
    for replica in replicas:
        # Longer than SHUTDOWN_TIMEOUT, so Docker lets requests in flight finish.
        assert int(replica["stop_grace_period"].removesuffix("s")) > Settings().shutdown_timeout
    for service in [*one_shot, *replicas]:
        environment = service["environment"]
        assert environment["DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "@db:5432/" in environment["DATABASE_URL"]
        assert set(environment) <= SETTINGS, set(environment) - SETTINGS
    for replica in replicas:
        # Behind the load balancer: its forwarded addresses, the public name and the links'
        # base are the operator's to give, passed through to every replica.
        for name in ("FORWARDED_ALLOW_IPS", "ALLOWED_HOSTS", "PUBLIC_BASE_URL"):
            assert replica["environment"][name].startswith(f"${{{name}:-"), name
