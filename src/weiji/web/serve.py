"""Serving Weiji in production: the WSGI app with static files, and background starters.

``weiji serve`` calls :func:`start_background` once before it starts answering requests.
Apps that run work in the same process (the in-process scheduler) list a starter — a
dotted path to a function taking no arguments — in ``BACKGROUND_STARTERS`` in
``weiji.config.schedule``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.utils.module_loading import import_string
from whitenoise import WhiteNoise


def background_starters() -> list[str]:
    """The dotted paths of the registered starters (none when the schedule lists none)."""
    from weiji.config import schedule

    return list(getattr(schedule, "BACKGROUND_STARTERS", ()))


def start_background() -> list[str]:
    """Call every registered background starter once; return the paths that were started."""
    started = []
    for dotted in background_starters():
        import_string(dotted)()
        started.append(dotted)
    return started


def wsgi_application():
    """Django's WSGI application with collected static files served by WhiteNoise."""
    return WhiteNoise(
        get_wsgi_application(), root=str(settings.STATIC_ROOT), prefix=settings.STATIC_URL,
        max_age=3600,
    )
