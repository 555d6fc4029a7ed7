"""Root URL configuration: each app contributes its own urls module."""

from __future__ import annotations

from importlib import import_module

from django.urls import include, path

urlpatterns = []

# Apps that expose pages or an API, mounted under their own prefix.
_APP_PREFIXES = {
    "accounts": "accounts/",
    "registry": "persons/",
    "records": "records/",
    "orgunits": "units/",
    "worklists": "worklists/",
    "messaging": "messaging/",
    "reconcile": "reconcile/",
    "indicators": "indicators/",
    "campaigns": "campaigns/",
}

for _app, _prefix in _APP_PREFIXES.items():
    try:
        import_module(f"weiji.{_app}.urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"weiji.{_app}.urls":
            raise
        continue
    urlpatterns.append(path(_prefix, include(f"weiji.{_app}.urls")))

try:
    import_module("weiji.web.pages")
except ModuleNotFoundError as exc:
    if exc.name != "weiji.web.pages":
        raise
else:
    urlpatterns.append(path("", include("weiji.web.pages")))
