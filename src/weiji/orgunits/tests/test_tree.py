import pytest

from weiji.core import testing as f
from weiji.orgunits.selectors import orgunit_tree, orgunit_villages

pytestmark = pytest.mark.django_db


def test_tree_rows_are_in_path_order_with_depth_and_counts():
    tree = f.make_tree()
    f.make_person(village=tree.v1)
    dead = f.make_person(village=tree.v1)
    dead.death_date = dead.birth_date
    dead.save()
    rows = orgunit_tree(user=f.make_user(role="district_admin", orgunit=tree.county))
    assert [(r.unit.code, r.depth) for r in rows] == [
        ("370303", 0), ("370303001", 1), ("370303001Z01", 2), ("370303001001", 3),
        ("370303001002", 3), ("370303002", 1), ("370303002001", 2)]
    counts = {r.unit.code: r.persons for r in rows}
    assert counts["370303001001"] == 1 and counts["370303001002"] is None
    assert counts["370303001"] is None


def test_tree_of_a_town_user_starts_at_the_town():
    tree = f.make_tree()
    rows = orgunit_tree(user=f.make_user(role="town_office", orgunit=tree.town2))
    assert [(r.unit.code, r.depth) for r in rows] == [("370303002", 0), ("370303002001", 1)]
    villages = orgunit_villages(user=f.make_user(role="town_office", orgunit=tree.town1))
    assert [v.code for v in villages] == ["370303001001", "370303001002"]
