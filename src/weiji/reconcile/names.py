"""Chinese-name features for linkage: normalized characters, pinyin, fuzzy pinyin, surname."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import NamedTuple

from pypinyin import Style, lazy_pinyin

COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 令狐 夏侯 长孙 宇文 司徒 轩辕 澹台 端木 申屠"
    " 呼延 南宫 万俟 闻人 拓跋 百里 西门 独孤".split()
)
# Initials and finals that people (and typists using dialect input) confuse: zh/z, ch/c,
# sh/s, n/l, and the -ng/-n endings. Mapping both sides to one form makes them equal.
_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n"))


class NameFeatures(NamedTuple):
    norm: str  # characters without spaces/dots, NFKC
    pinyin: str  # toneless pinyin, syllables joined by nothing
    fuzzy: str  # pinyin with the confusable initials/finals folded
    surname: str  # fuzzy pinyin of the surname
    syllables: tuple[str, ...]


_DROP = {ord(c): None for c in "·.•・- \t\u3000\u00a0"}


def normalize_name(name: str) -> str:
    text = name or ""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = text.translate(_DROP)
    return "".join(ch for ch in text if not ch.isspace()) if not text.isprintable() else text


@lru_cache(maxsize=4096)
def _fold(syllable: str) -> str:
    for src, dst in _INITIALS:
        if syllable.startswith(src):
            syllable = dst + syllable[len(src):]
            break
    if syllable.endswith("ng"):
        syllable = syllable[:-1]
    return syllable


@lru_cache(maxsize=65_536)
def _syllable(char: str) -> str:
    """A character's toneless pinyin (names are read character by character)."""
    if char.isascii():
        return char.lower()
    syllables = lazy_pinyin(char, style=Style.NORMAL, errors=lambda x: [x])
    return syllables[0].lower() if syllables else char


@lru_cache(maxsize=400_000)
def name_features(name: str) -> NameFeatures:
    norm = normalize_name(name)
    if not norm:
        return NameFeatures("", "", "", "", ())
    syllables = tuple(map(_syllable, norm))
    surname_len = 2 if norm[:2] in COMPOUND_SURNAMES and len(norm) > 2 else 1
    fuzzy = tuple(map(_fold, syllables))
    return NameFeatures(
        norm=norm,
        pinyin="".join(syllables),
        fuzzy="".join(fuzzy),
        surname="".join(fuzzy[:surname_len]),
        syllables=syllables,
    )


def name_pinyin(name: str) -> str:
    """Space-separated toneless pinyin (for display and the register's name_pinyin)."""
    return " ".join(name_features(name).syllables)
