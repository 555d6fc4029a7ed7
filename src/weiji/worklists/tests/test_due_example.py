"""`weiji due` on the public example, loaded with the real loader: the expected files exactly."""

import os
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from weiji.records.services import bundle_load
from weiji.rules.evaluate import evaluate_district, evaluate_person, sort_items
from weiji.worklists.facts import district_from_db, due_items_from_db, iter_districts

EXAMPLE = Path(os.environ.get("WEIJI_SHARED_DIR", Path(__file__).resolve().parents[5] / "shared")) / "spec" / "examples" / "small"
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not (EXAMPLE / "bundle").exists(), reason="the spec example is not on this machine"),
]
DATES = ["2025-01-01", "2026-03-01", "2026-12-01"]


@pytest.fixture
def example():
    bundle_load(source=EXAMPLE / "bundle")


@pytest.mark.parametrize("as_of", DATES)
def test_due_command_writes_the_expected_file(example, tmp_path, as_of):
    out = tmp_path / "due.csv"
    call_command("due", "--as-of", as_of, "--out", str(out), "--workers", "1")
    expected = (EXAMPLE / "expected" / f"due-{as_of}.csv").read_text("utf-8")
    assert out.read_text("utf-8") == expected


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_write_the_same_file(tmp_path):
    bundle_load(source=EXAMPLE / "bundle")
    out = tmp_path / "due.csv"
    call_command("due", "--as-of", "2026-12-01", "--out", str(out), "--workers", "2")
    expected = (EXAMPLE / "expected" / "due-2026-12-01.csv").read_text("utf-8")
    assert out.read_text("utf-8") == expected


def test_village_and_xlsx(example, tmp_path):
    out = tmp_path / "due.xlsx"
    call_command("due", "--as-of", "2026-03-01", "--out", str(out), "--village", "320981100201")
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    expected = [
        line.split(",") for line in
        (EXAMPLE / "expected" / "due-2026-03-01.csv").read_text("utf-8").splitlines()
    ]
    want = [expected[0]] + [r for r in expected[1:] if r[1] == "320981100201"]
    assert len(want) > 10
    assert [[c or "" for c in row] for row in rows] == want


@pytest.mark.parametrize("bad", ["2026-13-01", "20260301", "2026/03/01", "2026-02-30"])
def test_bad_date_is_a_clear_error(tmp_path, bad):
    with pytest.raises(CommandError) as info:
        call_command("due", "--as-of", bad, "--out", str(tmp_path / "x.csv"))
    assert "日期无效" in str(info.value) and "YYYY-MM-DD" in str(info.value)


def test_unknown_village_is_a_clear_error(example, tmp_path):
    with pytest.raises(CommandError, match="not the code of a loaded village"):
        call_command("due", "--as-of", "2026-03-01", "--out", str(tmp_path / "x.csv"),
                     "--village", "320981100Z01")


@pytest.mark.parametrize("as_of", DATES)
def test_streamed_per_village_and_per_person_runs_agree(example, as_of):
    day = date.fromisoformat(as_of)
    whole = sort_items(due_items_from_db(as_of=day))
    assert whole == sort_items(due_items_from_db(as_of=day, chunk_size=7))
    # the streamed run reads only events that can matter: same list as from all the facts
    assert whole == sort_items(evaluate_district(district_from_db(on=day), day))
    villages = sorted({i.village_code for i in whole})
    by_village = []
    for code in villages:
        by_village += sort_items(due_items_from_db(as_of=day, villages=[code]))
    assert by_village == whole
    chunks = list(iter_districts(on=day, chunk_size=50))
    assert len(chunks) > 5
    people = sorted({i.person_local_id for i in whole})[::7]
    district = district_from_db(on=day, persons=people)
    alone = sort_items(i for p in people for i in evaluate_person(district, p, day))
    assert alone == [i for i in whole if i.person_local_id in set(people)]


@pytest.mark.parametrize("as_of", ["2024-02-29", "2025-06-15", "2026-02-28", "2026-10-01", "2027-01-31"])
def test_database_run_equals_pure_run_on_other_dates(example, as_of):
    from weiji.rules.tests.example import example_district

    day = date.fromisoformat(as_of)
    pure = sort_items(evaluate_district(example_district(), day))
    assert len(pure) > 100
    assert sort_items(due_items_from_db(as_of=day)) == pure
