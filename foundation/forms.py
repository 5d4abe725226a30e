"""Base classes of every form in roils: what a person types is cleaned of invisible characters before validation.

We strip rather than refuse. Reporters paste narratives from treatment-planning systems, e-mails and PDFs, which
carry stray control characters nobody can see; refusing them would cost a report for a character with no meaning.
What is removed:
- C0 and C1 control characters except tab and newline (carriage returns become newlines). They break XML-based
  exports (XLSX), terminals and log lines, and a NUL cannot be stored in PostgreSQL text at all.
- Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the byte-order mark: they make
  text display in another order than it is stored ("Trojan Source"), so what a reviewer reads would not be what
  the PSO receives. The plain direction marks (U+200E, U+200F) stay: right-to-left writing needs them.
Password fields are left exactly as typed.
"""

from __future__ import annotations

import re

from django import forms
from django.http import QueryDict

_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")
_NEWLINES = re.compile("\r\n?")


def clean_text(value: str) -> str:
    """`value` without control characters or bidirectional overrides, its line breaks as `\\n`."""
    return _INVISIBLE.sub("", _NEWLINES.sub("\n", value))


class CleanInputMixin:
    """Cleans the submitted text of a bound form once, before any field sees it (see the module docstring)."""

    def full_clean(self):
        if self.is_bound and not getattr(self, "_input_cleaned", False):
            self.data = self._cleaned_input(self.data)
            self._input_cleaned = True
        super().full_clean()

    def _cleaned_input(self, data):
        kept = {
            self.add_prefix(name)
            for name, field in self.fields.items()
            if isinstance(field.widget, forms.PasswordInput)
        }
        if isinstance(data, QueryDict):
            cleaned = QueryDict(mutable=True)
            for key, values in data.lists():
                cleaned.setlist(key, values if key in kept else [_clean(v) for v in values])
            return cleaned
        return {key: value if key in kept else _clean(value) for key, value in data.items()}


def _clean(value):
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list | tuple):
        return type(value)(_clean(v) for v in value)
    return value


class Form(CleanInputMixin, forms.Form):
    """A Django form whose text input is cleaned first."""


class ModelForm(CleanInputMixin, forms.ModelForm):
    """A Django model form whose text input is cleaned first."""
