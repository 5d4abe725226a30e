"""EventForm: scoped facility choices, the anonymity questions, dates, narrative limits and the privacy guard."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from events.forms import EventForm, identifiers_digest, years_ago
from foundation.scrubber import find_identifiers
from practices.choices import AgreementState, PSORole, Role
from practices.demo import _activate
from practices.models import PSO
from practices.services import agreement_create, agreement_transition, membership_grant, pso_membership_set
from tests.factories.events import build_event

pytestmark = pytest.mark.django_db


def _post(coverage, **overrides):
    data = {
        "coverage": str(coverage.pk),
        "classification": "near_miss",
        "narrative": "Plan loaded for the wrong treatment site; caught at the time-out.",
        "techniques": ["imrt_vmat"],
        "event_date": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
        "reporter_role": "radiation_therapist",
        "age_range": "unknown",
        "patient_sex": "unknown",
        "idempotency_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _form(user, data=None):
    return EventForm(data=data, user=user)


def test_event_form_reporter_riverside_sees_both_facilities_none_preselected(users):
    form = _form(users["reporter.riverside"])
    assert [label for _v, label in form.fields["coverage"].choices] == ["Main Campus", "North Clinic"]
    assert form.fields["coverage"].initial is None


def test_event_form_single_facility_is_preselected(users, coverages):
    form = _form(users["reporter.lakeside"])
    assert form.fields["coverage"].initial == str(coverages["Lakeside Radiation Oncology"].pk)


def test_event_form_facility_covered_by_two_psos_is_labelled_with_the_pso(users, coverages):
    staff2 = users["staff.pso"].__class__.objects.create(username="staff.second")
    pso2 = PSO.objects.create(name="Second Safety PSO", slug="second")
    pso_membership_set(by=None, pso=pso2, user=staff2, role=PSORole.STAFF)
    main = coverages["Main Campus"]
    agreement = agreement_create(by=staff2, pso=pso2, practice=main.agreement.practice, facilities=[main.facility])
    _activate(agreement, staff2, [users["physicist.riverside"]])
    membership_grant(by=None, agreement=agreement, user=users["reporter.riverside"], role=Role.REPORTER)
    reporter = type(staff2).objects.get(username="reporter.riverside")  # as the next request reads it
    form = _form(reporter)
    labels = [label for _v, label in form.fields["coverage"].choices]
    assert labels == ["Main Campus (Radiation Oncology Safety PSO)", "Main Campus (Second Safety PSO)", "North Clinic"]


def test_event_form_shared_login_has_no_name_or_anonymity_question(users, coverages):
    form = _form(users["general.riverside"], _post(coverages["Main Campus"], reporter_name="Pat"))
    assert "reporter_name" not in form.fields and "stay_anonymous" not in form.fields
    assert form.is_valid(), form.errors
    assert form.cleaned_data["stay_anonymous"] is True and form.cleaned_data["reporter_name"] == ""


def test_event_form_named_reporter_name_prefilled_and_dropped_when_anonymous(users, coverages):
    reporter = users["reporter.riverside"]
    assert _form(reporter).fields["reporter_name"].initial == "Sam Rivera"
    form = _form(reporter, _post(coverages["Main Campus"], stay_anonymous="on", reporter_name="Sam Rivera"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["reporter_name"] == ""


def test_event_form_date_defaults_to_today_and_time_is_empty(users):
    form = _form(users["reporter.riverside"])
    assert form.fields["event_date"].initial == timezone.localdate()
    assert form.fields["event_time"].initial is None


def test_event_form_future_date_refused(users, coverages):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    form = _form(users["reporter.riverside"], _post(coverages["Main Campus"], event_date=tomorrow))
    assert not form.is_valid()
    assert form.errors["event_date"] == ["The date cannot be in the future."]


def test_event_form_future_time_today_refused(users, coverages, monkeypatch):
    morning = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(9, 0)))
    monkeypatch.setattr(timezone, "now", lambda: morning)
    data = _post(coverages["Main Campus"], event_date=morning.date().isoformat(), event_time="11:00")
    form = _form(users["reporter.riverside"], data)
    assert not form.is_valid()
    assert form.errors["event_time"] == ["The time cannot be in the future."]
    earlier = _form(users["reporter.riverside"], {**data, "event_time": "09:05"})
    assert earlier.is_valid(), earlier.errors


def test_event_form_old_date_needs_confirmation(users, coverages):
    old = (years_ago(timezone.localdate(), 2) - dt.timedelta(days=1)).isoformat()
    form = _form(users["reporter.riverside"], _post(coverages["Main Campus"], event_date=old))
    assert not form.is_valid()
    assert "more than two years ago" in form.errors["event_date"][0]
    data = _post(coverages["Main Campus"], event_date=old, confirm_old_date="on")
    confirmed = _form(users["reporter.riverside"], data)
    assert confirmed.is_valid(), confirmed.errors


def test_event_form_date_just_inside_two_years_needs_no_confirmation(users, coverages):
    day = years_ago(timezone.localdate(), 2).isoformat()
    assert _form(users["reporter.riverside"], _post(coverages["Main Campus"], event_date=day)).is_valid()


@pytest.mark.parametrize(("narrative", "message"), [
    ("", "Describe what happened."),
    ("   \n  ", "Describe what happened."),
    ("z" * 4001, "Keep the description to 4,000 characters (it has 4,001)."),
])
def test_event_form_narrative_limits(users, coverages, narrative, message):
    form = _form(users["reporter.riverside"], _post(coverages["Main Campus"], narrative=narrative))
    assert not form.is_valid()
    assert form.errors["narrative"][0].startswith(message)


def test_event_form_crlf_line_breaks_count_once(users, coverages):
    text = ("a" * 99 + "\r\n") * 40  # 4,000 characters as the browser counts them, 4,040 as sent
    form = _form(users["reporter.riverside"], _post(coverages["Main Campus"], narrative=text))
    assert form.is_valid(), form.errors
    assert "\r" not in form.cleaned_data["narrative"]


def test_event_form_foreign_facility_refused(users, coverages):
    form = _form(users["reporter.riverside"], _post(coverages["Lakeside Radiation Oncology"]))
    assert not form.is_valid()
    assert form.errors["coverage"] == ["Choose one of your facilities from the list."]


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999999", "1 OR 1=1", ""])
def test_event_form_garbage_facility_refused(users, coverages, value):
    data = {**_post(coverages["Main Campus"]), "coverage": value}
    form = _form(users["reporter.riverside"], data)
    assert not form.is_valid()
    assert "coverage" in form.errors


def test_event_form_suspended_agreement_gives_clear_message(users, coverages):
    main = coverages["Main Campus"]
    agreement_transition(agreement=main.agreement, by=users["staff.pso"], to=AgreementState.SUSPENDED)
    reporter = users["reporter.riverside"].__class__.objects.get(username="reporter.riverside")
    form = _form(reporter, _post(main))
    assert not form.is_valid()
    assert "is suspended: no events can be submitted" in form.errors["coverage"][0]


def test_event_form_not_applicable_is_exclusive(users, coverages):
    form = _form(users["reporter.riverside"], _post(coverages["Main Campus"], techniques=["not_applicable", "tbi"]))
    assert not form.is_valid()
    assert "techniques" in form.errors


def test_event_form_identifiers_block_first_submit_and_list_findings(users, coverages):
    narrative = "Patient born 03/14/1956, MRN 12345678, was set up with the wrong mask."
    form = _form(users["reporter.riverside"], _post(coverages["Main Campus"], narrative=narrative))
    assert not form.is_valid()
    assert "confirm_no_identifiers" in form.errors
    kinds = {f["kind"] for f in form.identifier_findings}
    assert {"DATE", "MRN"} <= kinds
    texts = [f["text"] for f in form.identifier_findings]
    assert any("1956" in t for t in texts)
    assert all(f["label"] for f in form.identifier_findings)


def test_event_form_identifiers_confirmed_for_the_same_findings_accepted(users, coverages):
    narrative = "Patient born 03/14/1956 was set up with the wrong mask."
    digest = identifiers_digest(find_identifiers(narrative))
    ok = _form(users["reporter.riverside"],
               _post(coverages["Main Campus"], narrative=narrative, confirm_no_identifiers=digest))
    assert ok.is_valid(), ok.errors
    changed = _form(users["reporter.riverside"], _post(
        coverages["Main Campus"], narrative=narrative + " Call 860-555-0123.", confirm_no_identifiers=digest
    ))
    assert not changed.is_valid()
    assert "confirm_no_identifiers" in changed.errors


def test_event_form_clean_narrative_has_no_warning(users, coverages):
    form = _form(users["reporter.riverside"], _post(coverages["Main Campus"]))
    assert form.is_valid(), form.errors
    assert form.identifier_findings == []


def test_event_form_role_preselected_from_last_named_report(users, coverages):
    reporter = users["reporter.riverside"]
    assert _form(reporter).fields["reporter_role"].initial == ""
    build_event(agreement=coverages["Main Campus"].agreement, user=reporter, reporter_role="dosimetrist")
    assert _form(reporter).fields["reporter_role"].initial == "dosimetrist"
