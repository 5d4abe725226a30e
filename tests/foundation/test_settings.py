"""The foundation: deploy checks, the embedded default, the PSO router and the compose file."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.apps import apps

from roils.routers import PSOStoreRouter, is_pso_store_model

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_with_debug_off_prints_no_warning():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env_extra={"DEBUG": "0", "SECRET_KEY": "x" * 30 + "-production-secret-key-for-the-test-0123456789"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr and "System check identified no issues" in result.stdout


def test_settings_debug_off_without_secret_key_refuses_to_start():
    result = _manage("check", env_extra={"DEBUG": "0", "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_settings_no_environment_uses_embedded_sqlite_and_eager_celery(tmp_path):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='roils.settings.base'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['pso']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PSO_DATABASE_URL", "REDIS_URL",
                                                           "DJANGO_SETTINGS_MODULE")}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["django.db.backends.sqlite3", "django.db.backends.sqlite3", "True"], out.stderr


def test_router_pso_store_models_live_only_in_pso_database():
    router = PSOStoreRouter()
    for model in apps.get_models():
        in_pso = is_pso_store_model(model)
        assert router.db_for_write(model) == ("pso" if in_pso else "default")
        assert router.allow_migrate("pso", model._meta.app_label, model._meta.model_name) is in_pso
        if in_pso:
            assert model._meta.app_label == "reporting"
            # The store never points at the practice side.
            relations = [f for f in model._meta.get_fields() if f.is_relation]
            assert all(is_pso_store_model(f.related_model) for f in relations)


def test_docker_compose_defines_the_deployment():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    assert "gunicorn" in " ".join(services["web"]["command"]) if isinstance(services["web"]["command"], list) \
        else "gunicorn" in services["web"]["command"]
    env = services["web"]["environment"]
    assert {"DATABASE_URL", "PSO_DATABASE_URL", "REDIS_URL", "SECRET_KEY"} <= set(env)


@pytest.mark.django_db(transaction=True, databases=["default", "pso"])  # seed_demo VACUUMs after its bulk load
def test_seed_demo_twice_is_idempotent(django_user_model):
    from django.core.management import call_command

    call_command("seed_demo", events=5, force=True, stdout=io.StringIO())
    counts = (django_user_model.objects.count(),)
    call_command("seed_demo", events=5, force=True, stdout=io.StringIO())
    assert (django_user_model.objects.count(),) == counts


@pytest.mark.django_db
def test_seed_demo_debug_off_refuses_without_force(settings):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")


def test_collectstatic_with_debug_off_builds_the_manifest(tmp_path):
    result = _manage(
        "collectstatic", "--noinput",
        env_extra={"DEBUG": "0", "SECRET_KEY": "b" * 60, "STATIC_ROOT": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "staticfiles.json").exists()


# --- A first run that looks like production (`make run`) ------------------------------------------------------------


def _clean_env(**extra) -> dict:
    drop = ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL", "PSO_DATABASE_URL", "REDIS_URL",
            "SECRET_KEY", "SECRET_KEY_FILE", "DEBUG", "VAR_DIR")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(extra)
    return env


def _settings_value(name: str, **extra) -> subprocess.CompletedProcess:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='roils.settings.base'; django.setup();"
        f"from django.conf import settings; print(settings.{name})"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_clean_env(**extra), capture_output=True,
                          text=True, timeout=60)


def test_secret_key_made_once_under_var_and_never_the_published_one(tmp_path):
    first = _settings_value("SECRET_KEY", DEBUG="1", VAR_DIR=str(tmp_path))
    second = _settings_value("SECRET_KEY", DEBUG="1", VAR_DIR=str(tmp_path))
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert key == second.stdout.strip() and len(key) >= 50
    assert key != "insecure-dev-key-do-not-use-in-production"
    kept = tmp_path / "secret_key"
    assert kept.read_text().strip() == key and (kept.stat().st_mode & 0o077) == 0  # its owner's only
    other = tmp_path / "other"
    other.mkdir()
    assert _settings_value("SECRET_KEY", DEBUG="1", VAR_DIR=str(other)).stdout.strip() != key  # random, per machine


def test_secret_key_file_with_debug_off_starts(tmp_path):
    result = _settings_value("DEBUG", DEBUG="0", VAR_DIR=str(tmp_path), SECRET_KEY_FILE=str(tmp_path / "key"))
    assert result.returncode == 0 and result.stdout.strip() == "False", result.stderr
    assert len((tmp_path / "key").read_text().strip()) >= 50


@pytest.mark.parametrize("key", ["insecure-dev-key-do-not-use-in-production",
                                 "change-me-to-a-random-string-of-at-least-fifty-characters-000000", "short"])
def test_published_or_short_secret_key_refused_even_with_debug_on(tmp_path, key):
    result = _settings_value("SECRET_KEY", DEBUG="1", VAR_DIR=str(tmp_path), SECRET_KEY=key)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_make_run_serves_with_debug_off_a_kept_key_and_links_on_its_port(tmp_path):
    """`make run` with a stand-in for Python that prints what each command would get: DEBUG off, var/secret_key,
    plain HTTP, links on the port it runs on."""
    probe = tmp_path / "python"
    probe.write_text("#!/bin/sh\nprintenv DEBUG SECRET_KEY_FILE SECURE SITE_URL\necho \"$@\"\n")
    probe.chmod(0o755)

    def make(*args, **env):
        return subprocess.run(["make", "-s", "--no-print-directory", "-o", "install", "run", f"PY={probe}", *args],
                              cwd=ROOT, env=_clean_env(**env), capture_output=True, text=True, timeout=60)

    result = make("PORT=8101")
    assert result.returncode == 0, result.stderr
    assert "0\nvar/secret_key\n0\nhttp://127.0.0.1:8101\nmanage.py runserver 127.0.0.1:8101" in result.stdout
    assert "manage.py collectstatic" in result.stdout and "manage.py seed_demo --force" in result.stdout
    assert make(DEBUG="1").stdout.startswith("1\n")


def test_debug_off_serves_product_error_pages_static_files_and_permissions_policy(tmp_path):
    """With DEBUG off as `make run` sets it: the product's 404 (not Django's route list), whitenoise's static files."""
    env = _clean_env(DEBUG="0", SECURE="0", VAR_DIR=str(tmp_path), SECRET_KEY_FILE=str(tmp_path / "key"),
                     STATIC_ROOT=str(tmp_path / "static"), ALLOWED_HOSTS="testserver")
    collected = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=120)
    assert collected.returncode == 0, collected.stderr[-2000:]
    code = (
        "import django, os, re; os.environ['DJANGO_SETTINGS_MODULE']='roils.settings.base'; django.setup();"
        "from django.test import Client; c = Client();"
        "r = c.get('/no-such-page/'); body = r.content.decode();"
        "css = re.search(r'href=\"(/static/css/roils\\.[0-9a-f]+\\.css)\"', body).group(1);"
        "s = c.get(css);"
        "print(r.status_code, 'Page not found' in body, 'URLconf' in body,"
        " 'camera=()' in r.headers['Permissions-Policy'], s.status_code,"
        " 'camera=()' in s.headers['Permissions-Policy'])"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["404", "True", "False", "True", "200", "True"], out.stderr[-3000:]
