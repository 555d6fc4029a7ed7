from datetime import date

import pytest
from django.urls import reverse

from weiji.core import testing as f
from weiji.registry.selectors import person_likely_duplicates, person_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    tree = f.make_tree()
    number = f.make_id_number(birth_date=date(1990, 2, 3), sex="1")
    zhang = f.make_person(village=tree.v1, name="张三", sex="1", birth_date=date(1990, 2, 3),
                          id_number=number, phone="13812345678")
    f.make_person(village=tree.v1, name="张珊珊", birth_date=date(1992, 2, 3))
    other = f.make_person(village=tree.v2, name="张三", sex="1", birth_date=date(1990, 2, 3))
    worker = f.make_user(role="village_worker", orgunit=tree.v1)
    return tree, zhang, other, worker, number


@pytest.mark.parametrize("q", ["张三", "三", "zs", "ZS", "zhangsan", "zhang san", "angsan"])
def test_search_by_name_and_pinyin(data, q):
    tree, zhang, other, worker, number = data
    assert zhang in list(person_search(user=worker, q=q))
    assert other not in list(person_search(user=worker, q=q))


def test_search_by_numbers(data):
    tree, zhang, other, worker, number = data
    assert list(person_search(user=worker, q=number)) == [zhang]
    assert list(person_search(user=worker, q=number.lower())) == [zhang]
    assert list(person_search(user=worker, q="13812345678")) == [zhang]
    assert list(person_search(user=worker, q="5678")) == [zhang]
    assert list(person_search(user=worker, q=number[-4:])) == [zhang]
    assert list(person_search(user=worker, q="56")) == []
    assert list(person_search(user=worker, q="")) == []


def test_search_hides_merged_persons(data):
    tree, zhang, other, worker, number = data
    dup = f.make_person(village=tree.v1, name="张三", sex="1", birth_date=date(1990, 2, 3))
    dup.merged_into = zhang
    dup.save()
    assert list(person_search(user=worker, q="张三")) == [zhang]


def test_search_page_masks_numbers(client, data):
    tree, zhang, other, worker, number = data
    client.force_login(worker)
    html = client.get(reverse("registry:search"), {"q": "zs"}).content.decode()
    assert zhang.name in html
    assert number not in html and "13812345678" not in html
    assert number[:6] + "********" + number[-4:] in html and "138****5678" in html


def test_village_listing_is_scoped_and_paginated(client, data):
    tree, zhang, other, worker, number = data
    client.force_login(worker)
    html = client.get(reverse("registry:search"), {"village": tree.v1.code}).content.decode()
    assert "张珊珊" in html
    html = client.get(reverse("registry:search"), {"village": tree.v2.code}).content.decode()
    assert f'/persons/{other.pk}/' not in html


def test_likely_duplicates_by_name_or_pinyin(data):
    tree, zhang, other, worker, number = data
    found = person_likely_duplicates(name="张叁", birth_date=date(1990, 2, 3),
                                     village_code=tree.v1.code)
    assert found == [zhang]  # same pinyin zhangsan
    assert person_likely_duplicates(name="李四", birth_date=date(1990, 2, 3),
                                    village_code=tree.v1.code) == []
    assert person_likely_duplicates(name="张三", birth_date=date(1990, 2, 4),
                                    village_code=tree.v1.code) == []
