"""weiji reconcile SOURCE FILE --out DIR."""

from __future__ import annotations

import csv

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from weiji.reconcile.tests.conftest import V2


def test_command_writes_masked_lists(tmp_path, world, capsys):
    path = tmp_path / "police.csv"
    path.write_text(
        "记录编号,身份证号,姓名,性别,出生日期,村居代码\n"
        f"G1,{world.chen.id_number},陈静,1,1970-07-07,{V2}\n"
        "G2,110105199202023456,孙悟,1,1992-02-02,370303001201\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="--type"):
        call_command("reconcile", "police", str(path))
    call_command("reconcile", "police", str(path), "--type", "residence", "--out", str(tmp_path / "out"))
    out = capsys.readouterr().out
    assert "读取 read 2" in out and "unlinked: 1" in out
    rows = list(csv.reader((tmp_path / "out" / "police-unlinked.csv").open(encoding="utf-8-sig")))
    assert rows[0][:3] == ["类型", "责任单位", "状态"]
    assert rows[1][6] == "110105********3456"  # masked
    wb = load_workbook(tmp_path / "out" / "police.xlsx", read_only=True)
    assert "源有库无" in wb.sheetnames and "空管" in wb.sheetnames
    with pytest.raises(CommandError, match="no such file"):
        call_command("reconcile", "police", str(tmp_path / "missing.csv"))
