"""The public example (spec/examples/small) reproduced exactly by the pure evaluator."""

from datetime import date

import pytest

from weiji.rules.evaluate import evaluate_district, sort_items
from weiji.rules.tests.example import example_available, example_district, expected_rows

pytestmark = pytest.mark.skipif(not example_available(), reason="the spec example is not on this machine")


@pytest.fixture(scope="module")
def district():
    return example_district()


@pytest.mark.parametrize("as_of", ["2025-01-01", "2026-03-01", "2026-12-01"])
def test_example_due_list(district, as_of):
    got = [
        {
            "as_of": i.as_of.isoformat(), "village_code": i.village_code,
            "person_local_id": i.person_local_id, "id_number": i.id_number, "service": i.service,
            "due_from": i.due_from.isoformat(), "due_until": i.due_until.isoformat(),
            "status": i.status, "responsible": i.responsible,
        }
        for i in sort_items(evaluate_district(district, date.fromisoformat(as_of)))
    ]
    assert got == expected_rows(as_of)
