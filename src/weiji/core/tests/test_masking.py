import pytest
from django.template import Context, Template

from weiji.core.masking import mask_id_number, mask_phone


@pytest.mark.parametrize("value,expected", [
    ("37030319900101123X", "370303********123X"),
    ("370303199001011234", "370303********1234"),
    (" 370303199001011234 ", "370303********1234"),
    ("370303900101123", "370303*****1123"),  # 15-digit legacy number
    ("12345", "*****"),
    ("", ""),
    (None, ""),
])
def test_mask_id_number(value, expected):
    assert mask_id_number(value) == expected


@pytest.mark.parametrize("value,expected", [
    ("13812345678", "138****5678"),
    ("1381234", "*******"),
    ("", ""),
    (None, ""),
])
def test_mask_phone(value, expected):
    assert mask_phone(value) == expected


def test_template_filters():
    out = Template("{% load weiji %}{{ i|mask_id }} {{ p|mask_phone }}").render(
        Context({"i": "37030319900101123X", "p": "13812345678"}))
    assert out == "370303********123X 138****5678"
