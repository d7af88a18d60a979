"""docker-compose.yml and the Dockerfile agree with the code they deploy.

Nothing here starts a container: the files are parsed and compared with the
settings, the URLconf and the Makefile, so a renamed setting, module or
variable breaks a test instead of a deployment.
"""

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.urls import resolve

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("web", "worker", "beat")
BACKING_SERVICES = ("db", "redis")

# env("NAME"), env.bool("NAME"), env.db("NAME"), ... and plain os.environ reads.
ENV_READ = re.compile(r"(?:\benv(?:\.\w+)?|\bos\.environ\.get|\bos\.getenv)\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']")


def settings_env_names() -> set[str]:
    names = set()
    for path in (ROOT / "config" / "settings").glob("*.py"):
        names.update(ENV_READ.findall(path.read_text()))
    return names


def environment(service: str) -> dict[str, str]:
    env = SERVICES[service].get("environment") or {}
    if isinstance(env, list):  # the "NAME=value" list form
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {name: str(value) for name, value in env.items()}


def command(service: str) -> str:
    cmd = SERVICES[service]["command"]
    return " ".join(cmd) if isinstance(cmd, list) else cmd


def celery_app(cmd: str) -> str:
    match = re.search(r"(?:-A|--app)[=\s]+(\S+)", cmd)
    assert match, f"no Celery app (-A) in {cmd!r}"
    return match.group(1)


def makefile_recipe(target: str) -> str:
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"{re.escape(target)}\s*:", line))
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return "\n".join(recipe)


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    logical, current = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    pairs = []
    for instruction in logical:
        keyword, _, arguments = instruction.strip().partition(" ")
        pairs.append((keyword.upper(), arguments.strip()))
    return pairs


def dockerfile(keyword: str) -> list[str]:
    return [arguments for instruction, arguments in dockerfile_instructions() if instruction == keyword]


def settings_module() -> str:
    return environment("web")["DJANGO_SETTINGS_MODULE"]


def test_all_services_are_defined():
    assert set(APP_SERVICES + BACKING_SERVICES) <= set(SERVICES)


@pytest.mark.parametrize("service", APP_SERVICES + BACKING_SERVICES)
def test_service_has_a_healthcheck(service):
    healthcheck = SERVICES[service].get("healthcheck") or {}
    assert not healthcheck.get("disable")
    assert healthcheck.get("test") not in (None, [], "", ["NONE"])


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_service_waits_for_healthy_db_and_redis(service):
    depends_on = SERVICES[service].get("depends_on") or {}
    assert isinstance(depends_on, dict), "the list form of depends_on cannot wait for health"
    for backing in BACKING_SERVICES:
        assert depends_on.get(backing, {}).get("condition") == "service_healthy", backing


# What a service may set differently from the web's configuration, and why.
OWN_SETTINGS = {
    # The nightly rebuild's long statements are bounded by the tasks' time limits.
    "worker": {"DATABASE_STATEMENT_TIMEOUT": "0"},
}


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_share_one_configuration(service):
    assert SERVICES[service].get("build") == SERVICES["web"].get("build") is not None
    assert environment(service) == environment("web") | OWN_SETTINGS.get(service, {})


def test_web_serves_the_settings_wsgi_application_with_gunicorn():
    match = re.search(r"\bgunicorn\s+(\S+):(\w+)", command("web"))
    assert match, command("web")
    wsgi_application = re.search(
        r"^WSGI_APPLICATION\s*=\s*[\"'](.+)[\"']", (ROOT / "config/settings/base.py").read_text(), re.M
    )
    assert f"{match.group(1)}.{match.group(2)}" == wsgi_application.group(1)


def test_web_migrates_before_serving():
    cmd = command("web")
    assert "manage.py migrate" in cmd
    assert cmd.index("manage.py migrate") < cmd.index("gunicorn")


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_celery_service_runs_the_makefile_app(service):
    cmd = command(service)
    assert re.search(rf"\bcelery\b.*\s{service}\b", cmd), cmd
    assert celery_app(cmd) == celery_app(makefile_recipe(service))
    assert (ROOT / celery_app(cmd) / "celery.py").is_file()


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_environment_is_read_by_the_settings(service):
    unknown = set(environment(service)) - settings_env_names() - {"DJANGO_SETTINGS_MODULE"}
    assert not unknown, f"set in docker-compose.yml but read by no setting: {sorted(unknown)}"


def test_settings_module_is_production_and_exists():
    assert settings_module() == "config.settings.production"
    assert (ROOT / (settings_module().replace(".", "/") + ".py")).is_file()


def test_secret_key_must_be_supplied():
    # Production settings refuse to start without it; compose should say so first
    # instead of shipping a shared default.
    assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]*\}", environment("web")["SECRET_KEY"])


def test_database_url_matches_the_db_service():
    url = urlsplit(environment("web")["DATABASE_URL"])
    db = environment("db")
    assert url.scheme in ("postgres", "postgresql", "pgsql")
    assert url.hostname == "db"
    assert url.port in (None, 5432)
    assert url.path.lstrip("/") == db["POSTGRES_DB"]
    assert url.username == db["POSTGRES_USER"]
    assert url.password == db["POSTGRES_PASSWORD"]


def test_redis_url_points_at_the_redis_service():
    url = urlsplit(environment("web")["REDIS_URL"])
    assert url.scheme == "redis"
    assert url.hostname == "redis"


def test_database_files_are_on_a_declared_named_volume():
    mounts = dict(volume.split(":")[:2][::-1] for volume in SERVICES["db"]["volumes"])
    assert mounts["/var/lib/postgresql/data"] in (COMPOSE.get("volumes") or {})


def test_dockerfile_uses_the_compose_settings_module():
    values = re.findall(r"DJANGO_SETTINGS_MODULE=(\S+)", " ".join(dockerfile("ENV") + dockerfile("RUN")))
    assert values
    assert set(values) == {settings_module()}


def test_dockerfile_collects_static_files_and_runs_gunicorn():
    assert any("manage.py collectstatic --noinput" in run for run in dockerfile("RUN"))
    cmd = " ".join(json.loads(dockerfile("CMD")[-1]))
    assert re.search(r"\bgunicorn\s+config\.wsgi:application\b", cmd)
    assert cmd in command("web")


def test_dockerfile_installs_only_runtime_requirements():
    installs = [run for run in dockerfile("RUN") if "pip install" in run]
    assert any("-r requirements.txt" in run and "--no-cache-dir" in run for run in installs)
    assert not any("requirements-dev" in run for run in installs)


def test_dockerfile_runs_as_an_unprivileged_user():
    users = dockerfile("USER")
    assert users
    assert users[-1].split(":")[0] not in ("root", "0")


def test_web_port_is_the_one_exposed_and_bound():
    (exposed,) = dockerfile("EXPOSE")
    published = {str(port).rsplit(":", 1)[-1] for port in SERVICES["web"]["ports"]}
    assert published == {exposed}
    assert f"--bind 0.0.0.0:{exposed}" in command("web")


def test_healthchecks_run_the_script_that_requests_the_health_url():
    for check in (" ".join(dockerfile("HEALTHCHECK")), " ".join(SERVICES["web"]["healthcheck"]["test"])):
        assert "scripts/healthcheck.py" in check, check
    script = (ROOT / "scripts" / "healthcheck.py").read_text()
    (path,) = re.findall(r"http://127\.0\.0\.1:8000(/[^\s\"']*)", script)
    assert resolve(path).url_name == "health"


def test_dockerignore_keeps_local_state_out_of_the_image():
    ignored = {line.strip().removeprefix("**/") for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".env", ".venv", ".git", "db.sqlite3", "staticfiles", "__pycache__"} <= ignored


def test_dockerignore_keeps_what_the_site_does_not_run_out_of_the_image():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {"tests", "bench", "docs/screenshots", "node_modules", "test-artifacts"} <= ignored
    # What the image runs stays in: the Dockerfile's commands and the health check.
    needed = {"manage.py", "requirements.txt", "config", "templates", "static", "locale", "scripts", "textkit"}
    needed |= {"accounts", "marketplace", "matching", "dashboards", "demo"}
    assert not needed & ignored


def test_every_setting_variable_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    undocumented = sorted(name for name in settings_env_names() if not re.search(rf"\b{name}\b", readme))
    assert not undocumented, f"read by config/settings but not in README.md: {undocumented}"
