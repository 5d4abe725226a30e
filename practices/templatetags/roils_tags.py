"""Small presentation filters shared by every app's templates."""

from django import template

from foundation import dates
from foundation.jinja import crispy_field as draw_crispy_field
from foundation.jinja import render as render_jinja

register = template.Library()

# Words a code spells in lower case that people write otherwise ("pso_signatory" -> "PSO signatory").
ACRONYMS = {"pso": "PSO", "nrc": "NRC", "id": "ID", "url": "URL", "totp": "TOTP", "csv": "CSV", "xlsx": "XLSX",
            "otp": "OTP", "ip": "IP", "imrt": "IMRT", "vmat": "VMAT", "sbrt": "SBRT", "srs": "SRS", "ct": "CT"}


@register.filter
def humanize_code(value) -> str:
    """'agreement_transition' -> 'Agreement transition'."""
    words = str(value or "").replace("_", " ").strip().split(" ")
    words = [ACRONYMS.get(w.lower(), w) for w in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


@register.filter
def day(value) -> str:
    """A date in the one format of the product: "2 Dec 2026"."""
    return dates.day(value)


@register.filter
def when(value) -> str:
    """A moment, local time: "2 Dec 2026, 14:05"."""
    return dates.when(value)


@register.filter
def ago(value) -> str:
    """"just now", "5 minutes ago", "yesterday", else the date."""
    return dates.ago(value)


@register.filter
def person(user) -> str:
    """A login as people know it: the full name, else the username."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@register.filter
def change_value(value) -> str:
    """A value of the audit trail as people read it: codes in words, dates in the one format, names as written."""
    import datetime
    import re

    text = str(value if value is not None else "")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dates.day(datetime.date.fromisoformat(text))
    if re.fullmatch(r"[a-z_]+", text):
        return humanize_code(text)
    return text


@register.simple_tag
def jinja(template_name: str, **values):
    """A Jinja2 template (an app's jinja2 folder) drawn inside a Django page with the values given:
    `{% jinja "review/queue_rows.html" rows=rows %}`. For the long loops of a page (the queue's rows, the review
    form's pickers), which Jinja2 draws with a fraction of the CPU that Django's template language needs."""
    return render_jinja(template_name, values)


@register.filter
def crispy_field(bound):
    """`{{ form.x|crispy_field }}`: what crispy-forms' `|as_crispy_field` writes, drawn by the Jinja2 field template
    directly (foundation.jinja.crispy_field) instead of through the filter's template lookups, which try Django's
    engine first and fail before finding the template in the Jinja2 one. Other helpers' fields go to the filter."""
    return draw_crispy_field(bound)
