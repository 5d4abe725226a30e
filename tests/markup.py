"""A page's form markup as data, for tests of its accessible structure (labels, descriptions, errors, options)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

CONTROLS = {"input", "select", "textarea"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    ancestors: list[Element]
    text: str = ""
    children: list[Element] = field(default_factory=list)


class Page(HTMLParser):
    """Every element with its attributes, ancestors and own text; `page.ids` finds one by id."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "wbr", "col", "area", "base", "embed"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.ids: dict[str, Element] = {}
        self.duplicate_ids: list[str] = []
        self._open: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v if v is not None else "" for k, v in attrs}, list(self._open))
        if self._open:
            self._open[-1].children.append(element)
        self.elements.append(element)
        if "id" in element.attrs:
            if element.attrs["id"] in self.ids:
                self.duplicate_ids.append(element.attrs["id"])
            self.ids[element.attrs["id"]] = element
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                return

    def handle_data(self, data):
        for element in self._open:
            element.text += data

    def find(self, tag: str, **attrs) -> list[Element]:
        return [e for e in self.elements if e.tag == tag and all(e.attrs.get(k) == v for k, v in attrs.items())]

    def inside(self, container_id: str) -> list[Element]:
        """Elements within the element of that id."""
        container = self.ids[container_id]
        return [e for e in self.elements if any(a is container for a in e.ancestors)]


def accessibility_problems(page: Page, container_id: str) -> list[str]:
    """What a screen-reader user would miss in the form: every problem found, as readable lines (none: [])."""
    problems = [f"duplicate id {ident}" for ident in page.duplicate_ids]
    scope = page.inside(container_id)
    labelled = {e.attrs.get("for") for e in scope if e.tag == "label"}
    for control in (e for e in scope if e.tag in CONTROLS):
        attrs, name = control.attrs, control.attrs.get("name", control.attrs.get("id"))
        if attrs.get("type") in ("hidden", "submit", "button"):
            continue
        if attrs.get("id") not in labelled and "aria-label" not in attrs:
            problems.append(f"{name}: no label")
        if attrs.get("type") in ("radio", "checkbox") and not any(
            a.tag == "fieldset" for a in control.ancestors
        ) and attrs.get("name") in {c.attrs.get("name") for c in scope if c is not control and c.tag == "input"}:
            problems.append(f"{name}: a group of choices outside a fieldset")
    for element in scope:
        for ident in element.attrs.get("aria-describedby", "").split():
            if ident not in page.ids:
                problems.append(f"{element.attrs.get('name', element.tag)}: describedby {ident} does not exist")
        if element.tag == "fieldset" and not any(c.tag == "legend" for c in element.children):
            problems.append(f"fieldset {element.attrs.get('id', '')}: no legend")
        if element.tag == "option" and "-----" in element.text:
            problems.append(f"option {element.text.strip()!r} in {element.ancestors[-1].attrs.get('name')}")
    return problems
