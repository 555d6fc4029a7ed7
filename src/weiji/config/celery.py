"""Background work: in-process on the embedded default, Celery + Redis when WEIJI_REDIS_URL is set."""

from __future__ import annotations

from weiji.config.env import env_str

REDIS_URL = env_str("WEIJI_REDIS_URL")
CELERY_ENABLED = bool(REDIS_URL)
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TIMEZONE = "Asia/Shanghai"
