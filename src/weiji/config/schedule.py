"""The periodic schedule, in one place.

``PERIODIC_JOBS``: name -> {"func": dotted path of a function taking no arguments,
"every_seconds": N, "timeout_seconds": T (optional, default 600)}. A job runs at most every
N seconds; each run holds a database lock (``messaging.JobLock``) for at most T seconds so
runs never overlap, across processes too. The in-process scheduler
(``weiji.messaging.scheduler``: ``weiji worker`` and, through ``BACKGROUND_STARTERS``,
``weiji serve``) and Celery beat (``weiji.config.celery_app``, when WEIJI_REDIS_URL is
set) both read it.

``BACKGROUND_STARTERS``: dotted paths of functions ``weiji serve`` calls once at start.
"""

from __future__ import annotations

PERIODIC_JOBS: dict[str, dict] = {
    # Service lists: once a day as of today; on the 1st kept as the frozen monthly snapshot.
    "worklists.generate": {
        "func": "weiji.worklists.tasks.job_generate", "every_seconds": 3600,
        "timeout_seconds": 4 * 3600,
    },
    # Reminders (温馨告知): plan from open service items, send what is due, fetch receipts.
    "messaging.plan": {
        "func": "weiji.messaging.tasks.job_plan", "every_seconds": 900, "timeout_seconds": 3600,
    },
    "messaging.send": {
        "func": "weiji.messaging.tasks.job_send", "every_seconds": 20, "timeout_seconds": 1800,
    },
    "messaging.receipts": {
        "func": "weiji.messaging.tasks.job_receipts", "every_seconds": 300,
        "timeout_seconds": 900,
    },
    # Reconcile (比对校核): compare each source that received records since its last run.
    "reconcile.compare": {
        "func": "weiji.reconcile.tasks.job_compare", "every_seconds": 3600,
        "timeout_seconds": 1800,
    },
    # Migrant exchange (流动人口月信息通报): last month's lists into the inboxes from the 1st.
    "campaigns.exchange": {
        "func": "weiji.campaigns.tasks.job_exchange", "every_seconds": 3600,
        "timeout_seconds": 1800,
    },
    # Indicators: keep the last 12 months' cache warm (recomputes only changed months).
    "indicators.refresh": {
        "func": "weiji.indicators.tasks.job_refresh", "every_seconds": 6 * 3600,
        "timeout_seconds": 3600,
    },
}

BACKGROUND_STARTERS: list[str] = [
    "weiji.messaging.scheduler.start_background",
]
