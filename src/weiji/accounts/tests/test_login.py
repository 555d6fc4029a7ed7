import time

import pytest
from django.urls import reverse

from weiji.accounts.models import LoginFailure
from weiji.core import testing as f
from weiji.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker():
    tree = f.make_tree()
    return f.make_user(role="village_worker", orgunit=tree.v1, username="worker1")


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_password_is_hashed_with_argon2(worker):
    assert worker.password.startswith("argon2")


def test_login_and_logout_are_audited(client, worker):
    response = login(client, "worker1", f.TEST_PASSWORD)
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="login", username="worker1").count() == 1
    client.post(reverse("logout"))
    assert AuditEntry.objects.filter(action="logout", username="worker1").count() == 1


def test_failed_login_is_audited_and_counted(client, worker):
    response = login(client, "worker1", "wrong")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    entry = AuditEntry.objects.get(action="login_failed")
    assert entry.username == "worker1" and entry.user_id is None
    assert LoginFailure.objects.filter(username="worker1").count() == 1


def test_lock_after_max_failures_even_with_the_right_password(client, worker, settings):
    settings.WEIJI_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        login(client, "worker1", "wrong")
    response = login(client, "worker1", f.TEST_PASSWORD)
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="login_failed", detail__locked=True).exists()


def test_lock_expires_and_success_clears_failures(client, worker, settings):
    settings.WEIJI_LOGIN_MAX_FAILURES = 2
    settings.WEIJI_LOGIN_LOCK_SECONDS = 60
    login(client, "worker1", "wrong")
    login(client, "worker1", "wrong")
    assert login(client, "worker1", f.TEST_PASSWORD).status_code == 200
    # Age the failures past the lock window.
    from datetime import timedelta

    from django.utils import timezone

    LoginFailure.objects.update(at=timezone.now() - timedelta(seconds=120))
    assert login(client, "worker1", f.TEST_PASSWORD).status_code == 302
    assert LoginFailure.objects.filter(username="worker1").count() == 0


def test_lock_is_per_address(client, worker, settings):
    settings.WEIJI_LOGIN_MAX_FAILURES = 1
    client.post(reverse("login"), {"username": "worker1", "password": "x"},
                REMOTE_ADDR="10.0.0.9")
    response = client.post(reverse("login"), {"username": "worker1",
                                              "password": f.TEST_PASSWORD},
                           REMOTE_ADDR="10.0.0.10")
    assert response.status_code == 302


def test_inactivity_timeout_logs_out(client, worker, settings):
    settings.WEIJI_INACTIVITY_SECONDS = 60
    assert login(client, "worker1", f.TEST_PASSWORD).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session["last_seen"] = int(time.time()) - 61
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert AuditEntry.objects.filter(action="logout", username="worker1").exists()


def test_activity_within_the_timeout_keeps_the_session(client, worker, settings):
    settings.WEIJI_INACTIVITY_SECONDS = 60
    login(client, "worker1", f.TEST_PASSWORD)
    session = client.session
    session["last_seen"] = int(time.time()) - 30
    session.save()
    assert client.get(reverse("home")).status_code == 200
