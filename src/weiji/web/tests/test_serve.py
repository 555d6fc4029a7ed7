import io

import pytest
from django.core.management import call_command

from weiji.config import schedule
from weiji.web import serve

CALLS = []


def starter():
    CALLS.append("started")


def test_start_background_calls_registered_starters(monkeypatch):
    monkeypatch.setattr(schedule, "BACKGROUND_STARTERS",
                        ["weiji.web.tests.test_serve.starter"], raising=False)
    CALLS.clear()
    assert serve.start_background() == ["weiji.web.tests.test_serve.starter"]
    assert CALLS == ["started"]


def test_start_background_without_starters(monkeypatch):
    monkeypatch.delattr(schedule, "BACKGROUND_STARTERS", raising=False)
    assert serve.start_background() == []


@pytest.mark.django_db
def test_wsgi_application_serves_collected_static(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", interactive=False, verbosity=0)
    app = serve.wsgi_application()
    status = []
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/static/weiji/weiji.css",
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "wsgi.url_scheme": "http",
               "wsgi.input": io.BytesIO(), "QUERY_STRING": ""}
    body = b"".join(app(environ, lambda s, h, *a: status.append(s)))
    assert status[0].startswith("200") and b"--c:" in body
    assert settings.STATIC_URL == "/static/"
