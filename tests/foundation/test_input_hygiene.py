"""Input hygiene: every form cleans invisible characters first; exports and logs cope with whatever is stored."""

import datetime as dt
import importlib
import inspect
import io
import logging
import pkgutil
import uuid
from pathlib import Path

import pytest
from django import forms
from django.apps import apps as django_apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_filters import FilterSet
from openpyxl import load_workbook

from events.models import Event
from foundation.forms import CleanInputMixin, clean_text
from foundation.logformat import WithheldMessageFormatter
from tests.factories.review import make_event

# Every app of the project, and foundation (a package of shared code, not an installed app).
APPS = [app.name for app in django_apps.get_app_configs()
        if Path(app.path).is_relative_to(settings.BASE_DIR) and "site-packages" not in Path(app.path).parts]
APPS += ["foundation"]
DIRTY = "Wrong\x07 plan\u202e opened\x00 at the console;\r\ncaught\u2066 at the time-out.\x1b[31m"
CLEAN = "Wrong plan opened at the console;\ncaught at the time-out.[31m"


def _our_modules():
    for app in APPS:
        package = importlib.import_module(app)
        yield package
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if ".migrations" in info.name or ".management" in info.name:
                continue
            yield importlib.import_module(info.name)


def _our_classes(base):
    for module in _our_modules():
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, base) and cls.__module__ == module.__name__:
                yield cls


def test_clean_text_strips_controls_and_bidi_overrides_keeps_tabs_newlines_and_direction_marks():
    assert clean_text(DIRTY) == CLEAN
    assert clean_text("a\tb\nc \u200fשלום\u200e") == "a\tb\nc \u200fשלום\u200e"
    assert clean_text("\ufeffBOM\x85 and C1\x9f") == "BOM and C1"


def test_every_form_of_the_project_cleans_its_input():
    """A new form that forgets the base class fails here, whichever app it is in."""
    assert {"events", "review", "reporting", "practices", "foundation"} <= set(APPS)
    form_classes = list(_our_classes(forms.BaseForm))
    assert len(form_classes) > 10
    missing = [f"{cls.__module__}.{cls.__qualname__}" for cls in form_classes if not issubclass(cls, CleanInputMixin)]
    assert missing == []
    filtersets = list(_our_classes(FilterSet))
    assert filtersets
    for filterset in filtersets:
        assert issubclass(filterset._meta.form, CleanInputMixin), filterset


def test_password_fields_are_left_as_typed(db):
    from practices.twofactor import LoginForm

    form = LoginForm(data={"username": "sam\u202e", "password": "se\x07cret\u202e"})
    form.is_valid()
    assert form.data["password"] == "se\x07cret\u202e"
    assert form.data["username"] == "sam"


@pytest.mark.django_db
def test_submitted_narrative_is_stored_without_invisible_characters(client, world, users):
    from practices.models import Coverage

    coverage = Coverage.objects.select_related("facility").get(facility__name="North Clinic")
    client.force_login(users["reporter.riverside"])
    response = client.post(reverse("events:event-create"), {
        "coverage": str(coverage.pk), "classification": "near_miss", "narrative": DIRTY,
        "techniques": ["imrt_vmat"], "event_date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "workflow_step_noticed": "treatment_delivery", "age_range": "60_69", "patient_sex": "female",
        "reporter_role": "radiation_therapist", "reporter_name": "Sam\u202e Rivera",
        "idempotency_key": str(uuid.uuid4()),
    })
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.narrative == CLEAN
    assert event.reporter_name == "Sam Rivera"


@pytest.mark.django_db
def test_exports_cope_with_control_characters_already_stored(client, world, users):
    riverside = world["agreements"]["riverside"]
    event = make_event(agreement=riverside, narrative="placeholder")
    stored = DIRTY.replace("\x00", "")  # PostgreSQL cannot store NUL at all
    Event.objects.filter(pk=event.pk).update(narrative=stored, narrative_scrubbed=stored)  # as an old row might be
    client.force_login(users["physicist.riverside"])
    csv_response = client.get(reverse("review:queue-export", args=["csv"]), {"full": "1"})
    assert csv_response.status_code == 200
    assert "Wrong plan opened at the console;" in csv_response.content.decode()
    xlsx = client.get(reverse("review:queue-export", args=["xlsx"]), {"full": "1"})
    assert xlsx.status_code == 200
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert CLEAN in rows[1]


def test_logged_tracebacks_withhold_exception_messages():
    formatter = WithheldMessageFormatter("%(levelname)s %(message)s")
    mrn, narrative = "Jane Doe MRN 1234567", "narrative: Jane Doe fell in the vault"  # the source lines name variables
    try:
        try:
            raise KeyError(mrn)
        except KeyError as exc:
            raise ValueError(narrative) from exc
    except ValueError:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error: /x", None,
                                   exc_info=__import__("sys").exc_info())
    text = formatter.format(record)
    assert "Jane Doe" not in text
    assert "builtins.ValueError (message withheld)" in text and "builtins.KeyError (message withheld)" in text
    assert text.index("KeyError") < text.index("ValueError")
    assert "Internal Server Error: /x" in text


def test_the_configured_log_formatter_is_the_withholding_one():
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler.formatter, WithheldMessageFormatter)
