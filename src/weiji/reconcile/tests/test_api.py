"""The records API: token, one record or a batch, idempotency, errors, OpenAPI."""

from __future__ import annotations

import json

import pytest

from weiji.reconcile import services
from weiji.reconcile.models import Snapshot, SourceRecord

URL = "/reconcile/api/sources/hosp/records"


@pytest.fixture
def token(world):
    source = services.source_create(code="hosp", name="市妇幼保健院", type="births", user=world.admin)
    services.source_create(code="other", name="其他", type="other", user=world.admin)
    return services.source_issue_token(source=source, user=world.admin)


def _post(client, body, token, **headers):
    return client.post(URL, data=json.dumps(body, ensure_ascii=False), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {token}", **headers)


def test_token_is_required_and_stored_hashed(client, token):
    assert client.post(URL, data="{}", content_type="application/json").status_code == 401
    assert _post(client, {"record_id": "1"}, "wrong").status_code == 401
    other = services.source_issue_token(source=services.Source.objects.get(code="other"), user=None)
    assert _post(client, {"record_id": "1"}, other).status_code == 403
    source = services.Source.objects.get(code="hosp")
    assert token not in source.token_hash and len(source.token_hash) == 64


def test_push_one_then_batch_is_idempotent(client, token, world):
    one = {"record_id": "H-1", "name": "", "sex": "1", "birth_date": "2026-03-01",
           "mother_id_number": world.zhang.id_number, "outcome": "live_birth"}
    r = _post(client, one, token)
    assert r.status_code == 200 and r.json()["created"] == 1
    batch = {"records": [one, {**one, "record_id": "H-2", "sex": "2", "birth_date": "2026-04-02"}]}
    r = _post(client, batch, token)
    assert r.json() == {**r.json(), "received": 2, "created": 1, "updated": 1, "rejected": 0}
    r = _post(client, batch, token)
    assert (r.json()["created"], r.json()["updated"]) == (0, 2)
    assert SourceRecord.objects.filter(source__code="hosp").count() == 2
    assert Snapshot.objects.filter(source__code="hosp", kind="api").count() == 3

    services.reconcile_run(source=services.Source.objects.get(code="hosp"), user=None)
    r = client.get(URL + "/H-1", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.json()["link_status"] == "auto" and r.json()["person"] == "P5"
    assert client.get(URL + "/nope", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404


def test_bad_records_are_explained(client, token):
    r = _post(client, {"records": [{"name": "x"}, {"record_id": "2", "birth_date": "2026/13/01"},
                                   {"record_id": "3", "colour": "red"}]}, token)
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(1, "record_id"), (2, "birth_date"), (3, "colour")]
    assert all(e["reason_zh"] and e["reason_en"] for e in errors)
    r = client.post(URL, data="{not json", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 400 and "JSON" in r.json()["error"]


def test_openapi_document(client):
    doc = client.get("/reconcile/api/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {"/sources/{code}/records", "/sources/{code}/records/{record_id}"}
    assert "mother_id_number" in doc["components"]["schemas"]["Record"]["properties"]
