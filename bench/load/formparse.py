"""Reading the pages of the load test: the submission form's controls, plausible answers, reference numbers.

Shared by the locustfile and profile_requests.py; plain Python (no locust, no Django), regular expressions only,
because the virtual users parse every page and an HTML parser would cost the load generator a core.
"""

from __future__ import annotations

import html
import json
import random
import re
import time
from pathlib import Path

NARRATIVES = json.loads(Path(__file__).with_name("narratives.json").read_text())
SUB_LOCATIONS = ["", "", "Vault 1", "Vault 2", "CT simulator", "Front desk"]
TAG = re.compile(r"<(/?)(form|input|select|option|textarea)\b([^>]*)>", re.I)
ATTR = re.compile(r"""([\w:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
# The reference number on a confirmation page, also when it sits in a span.
REFERENCE = re.compile(r'id="event-reference"[^>]*>\s*(?:<span[^>]*>)?\s*([^<\s]+)\s*<')
EVENT_REFERENCE = re.compile(r"\b[A-Z]{1,5}-\d{4}-\d{4,}\b")
PAGE_LINK = re.compile(r'class="page-link" href="\?([^"]*page=\d+)"')
EVENT_LINK = re.compile(r'href="(/review/events/\d+/)"')
ERROR_ITEM = re.compile(r'<div class="alert alert-danger"[^>]*id="error-summary".*?<li>(.*?)</li>', re.S)
TAGS_TEXT = re.compile(r"<[^>]+>")


def _attrs(text: str) -> dict:
    return {m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in ATTR.finditer(text)}


def parse_form(page: str, want_id: str = "event-form") -> list[dict] | None:
    """The controls of the page's submission form, in order: name, kind, value, options, checked."""
    forms, current, select = [], None, None
    for match in TAG.finditer(page):
        closing, tag, rest = match.group(1), match.group(2).lower(), match.group(3)
        if tag == "form":
            if closing:
                if current is not None:
                    forms.append(current)
                current = None
            else:
                current = {"attrs": _attrs(rest), "controls": []}
            continue
        if current is None:
            continue
        attrs = _attrs(rest)
        if tag == "select" and not closing:
            select = {"name": attrs.get("name"), "kind": "select", "options": [], "value": ""}
            current["controls"].append(select)
        elif tag == "select":
            select = None
        elif tag == "option" and select is not None and not closing:
            select["options"].append(attrs.get("value", ""))
            if "selected" in attrs:
                select["value"] = attrs.get("value", "")
        elif tag == "textarea" and not closing:
            current["controls"].append({"name": attrs.get("name"), "kind": "textarea", "value": ""})
        elif tag == "input":
            current["controls"].append({"name": attrs.get("name"), "kind": attrs.get("type", "text").lower(),
                                        "value": attrs.get("value", ""), "checked": "checked" in attrs})
    if not forms:
        return None
    chosen = next((f for f in forms if f["attrs"].get("id") == want_id), None)
    chosen = chosen or next((f for f in forms if any(c["name"] == "idempotency_key" for c in f["controls"])), None)
    chosen = chosen or max(forms, key=lambda f: len(f["controls"]))
    return [c for c in chosen["controls"] if c.get("name")]


def fill(controls: list[dict], rng: random.Random) -> list[tuple[str, str]]:
    """Plausible answers for whatever the form asks, as (name, value) pairs."""
    groups: dict[str, list[dict]] = {}
    for control in controls:
        groups.setdefault(control["name"], []).append(control)
    pairs = []
    for name, group in groups.items():
        first = group[0]
        kind = first["kind"]
        if kind in ("submit", "button", "reset", "image", "file"):
            continue
        if kind == "hidden":
            pairs.append((name, first["value"]))
        elif kind == "textarea":
            pairs.append((name, rng.choice(NARRATIVES) if name == "narrative" else ""))
        elif kind == "radio":
            pairs.append((name, rng.choice([c["value"] for c in group])))
        elif kind == "checkbox" and len(group) > 1:  # a multiple choice such as the techniques
            values = [c["value"] for c in group]
            real = [v for v in values if v != "not_applicable"] or values
            picked = ["not_applicable"] if "not_applicable" in values and rng.random() < 0.2 else \
                rng.sample(real, k=min(len(real), rng.choice([1, 1, 1, 2])))
            pairs.extend((name, v) for v in picked)
        elif kind == "checkbox":
            if name == "stay_anonymous" and rng.random() < 0.1:
                pairs.append((name, first["value"] or "on"))
        elif kind == "select":
            options = [v for v in first["options"] if v]
            if name == "workflow_step_noticed" and rng.random() < 0.3:
                pairs.append((name, ""))
            elif options:
                pairs.append((name, rng.choice(options)))
        elif kind == "date":
            pairs.append((name, first["value"] or time.strftime("%Y-%m-%d")))
        elif kind == "time":
            pairs.append((name, ""))
        elif name == "sub_location":
            pairs.append((name, rng.choice(SUB_LOCATIONS)))
        else:
            pairs.append((name, first["value"]))
    return pairs


def csrf_of(controls: list[dict]) -> str:
    return next((c["value"] for c in controls if c["name"] == "csrfmiddlewaretoken"), "")


def value_of(pairs: list[tuple[str, str]], name: str) -> str:
    return next((v for k, v in pairs if k == name), "")


def error_summary(page: str) -> str:
    match = ERROR_ITEM.search(page)
    return TAGS_TEXT.sub("", match.group(1)).strip()[:120] if match else "no confirmation and no error summary"
