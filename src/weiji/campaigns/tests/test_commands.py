"""Command-line errors, the monthly exchange job and the delivery command."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from weiji.campaigns.models import ExchangeNotice
from weiji.campaigns.tasks import exchange_due
from weiji.core import testing as f

pytestmark = pytest.mark.django_db


def test_campaign_report_reports_a_bad_definition(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("code: x\nname: y\nstart: 2018-04-23\nend: 2018-05-25\n"
                    "target: {rule: spring_women_checkup}\n"
                    "thresholds: {rural: {attendance: 0.85, visit: 0.97},"
                    " urban: {attendance: 0.5, visit: 0.7}}\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad.yaml: target.born_on_or_after: .* / "):
        call_command("campaign-report", str(path), out=str(tmp_path / "o.csv"))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("campaign-report", str(tmp_path / "missing.yaml"), out=str(tmp_path / "o"))


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "202611", ""])
def test_exchange_rejects_a_bad_month(tmp_path, month):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("exchange", month=month, out=str(tmp_path))


def test_exchange_writes_headers_for_an_empty_month(tmp_path):
    f.make_tree()
    call_command("exchange", month="2026-11", out=str(tmp_path / "ex"))
    assert (tmp_path / "ex" / "inflow_pregnancies_births.csv").read_text() == (
        "village_code,person_local_id,id_number,name,sex,birth_date,inflow_date,event,"
        "event_date\n")


def test_exchange_job_delivers_last_month_once(tmp_path):
    tree = f.make_tree()
    f.make_person(village=tree.v1, residency="inflow", inflow_date=date(2026, 11, 30),
                  birth_date=date(1990, 1, 1))
    assert exchange_due(today=date(2026, 12, 1)) == date(2026, 11, 1)
    call_command("exchange-deliver", month="2026-11")
    assert exchange_due(today=date(2026, 12, 1)) is None
    notice = ExchangeNotice.objects.get(town=tree.town1, month=date(2026, 11, 1))
    assert notice.counts["new_inflows.csv"] == 1
    assert notice.deadline == date(2026, 12, 10)
