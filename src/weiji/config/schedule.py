"""The periodic schedule, in one place.

Each entry: name -> (dotted path of a function taking no arguments, crontab-like spec).
The in-process scheduler (``weiji worker``/``weiji serve``) and Celery beat both read it.
"""

from __future__ import annotations

PERIODIC_JOBS: dict[str, dict] = {}
