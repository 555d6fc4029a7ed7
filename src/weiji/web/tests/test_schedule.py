"""Every periodic job and background starter named in config/schedule.py can be imported."""

from __future__ import annotations

from django.utils.module_loading import import_string

from weiji.config.schedule import BACKGROUND_STARTERS, PERIODIC_JOBS


def test_every_job_names_a_callable_with_sane_timings():
    assert PERIODIC_JOBS
    for name, job in PERIODIC_JOBS.items():
        assert callable(import_string(job["func"])), name
        assert job["every_seconds"] > 0, name
        assert job.get("timeout_seconds", 600) > 0, name


def test_every_background_starter_is_callable():
    for dotted in BACKGROUND_STARTERS:
        assert callable(import_string(dotted)), dotted
