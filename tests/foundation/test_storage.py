"""The production static files storage: whitenoise's manifest, each URL looked up once per process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from foundation.storage import StaticFilesStorage

ROOT = Path(__file__).resolve().parents[2]


def _storage(tmp_path, paths):
    (tmp_path / "staticfiles.json").write_text(json.dumps({"paths": paths, "version": "1.1", "hash": "0"}))
    return StaticFilesStorage(location=str(tmp_path), base_url="/static/")


def test_static_storage_url_is_the_hashed_name_and_stays_for_the_process(tmp_path):
    storage = _storage(tmp_path, {"css/roils.css": "css/roils.0a1b2c3d4e5f.css"})
    assert storage.url("css/roils.css") == "/static/css/roils.0a1b2c3d4e5f.css"
    storage.hashed_files["css/roils.css"] = "css/roils.ffffffffffff.css"  # only a new process reads a new manifest
    assert storage.url("css/roils.css") == "/static/css/roils.0a1b2c3d4e5f.css"
    assert storage.url("css/roils.css", force=True) == "/static/css/roils.ffffffffffff.css"


def test_static_storage_missing_name_raises_every_time(tmp_path):
    storage = _storage(tmp_path, {})
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("js/missing.js")


def test_production_settings_use_the_remembering_storage():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(DEBUG="0", SECRET_KEY="x" * 50, DJANGO_SETTINGS_MODULE="roils.settings.base")
    code = "import django; django.setup(); from django.conf import settings; print(settings.STORAGES['staticfiles'])"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert "foundation.storage.StaticFilesStorage" in result.stdout, result.stderr
