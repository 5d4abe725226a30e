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


@pytest.mark.django_db
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
