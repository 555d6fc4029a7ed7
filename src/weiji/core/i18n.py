"""Model choice labels in the active language (the labels are the Chinese source text)."""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import gettext

_lazy_gettext = lazy(gettext, str)


def choices_tr(choices) -> list[tuple[str, str]]:
    """``(value, label)`` pairs whose labels are translated when rendered."""
    pairs = choices.choices if hasattr(choices, "choices") else choices
    return [(value, _lazy_gettext(label)) for value, label in pairs]
