"""The periodic comparison picks up sources with new records only."""

from __future__ import annotations

from weiji.reconcile import services, tasks
from weiji.reconcile.models import Run


def test_job_compares_sources_with_new_records(world):
    source = services.source_create(code="hosp", name="医院", type="births", user=world.admin)
    services.source_create(code="idle", name="无数据", type="other", user=world.admin)
    assert tasks.sources_with_new_records() == []
    services.records_push(source=source, items=[{"record_id": "1", "sex": "1", "birth_date": "2026-03-01",
                                                 "mother_id_number": world.zhang.id_number}])
    assert tasks.sources_with_new_records() == [source]
    tasks.job_compare()
    assert Run.objects.filter(source=source).count() == 1
    assert tasks.sources_with_new_records() == []
    tasks.job_compare()
    assert Run.objects.count() == 1
