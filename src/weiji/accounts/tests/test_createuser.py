import pytest
from django.core.management import CommandError, call_command

from weiji.accounts.models import User
from weiji.core import testing as f
from weiji.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_createuser_binds_role_and_unit(capsys):
    tree = f.make_tree()
    call_command("createuser", "--username", "w1", "--role", "village_worker",
                 "--orgunit", tree.v1.code, "--password", "s3cret-pass")
    user = User.objects.get(username="w1")
    assert (user.role, user.orgunit_id) == ("village_worker", tree.v1.code)
    assert user.check_password("s3cret-pass") and user.password.startswith("argon2")
    assert AuditEntry.objects.filter(action="create", object_type="accounts.user").exists()


def test_createuser_generates_a_password_and_binds_a_facility(capsys):
    tree = f.make_tree()
    call_command("createuser", "--username", "doc", "--role", "facility_staff",
                 "--facility", tree.f1.code)
    out = capsys.readouterr().out
    password = out.split("password: ")[1].strip()
    user = User.objects.get(username="doc")
    assert user.check_password(password)
    assert (user.facility_id, user.orgunit_id) == (tree.f1.code, tree.town1.code)


@pytest.mark.parametrize("args,message", [
    (["--role", "village_worker", "--orgunit", "999"], "不存在"),
    (["--role", "village_worker", "--orgunit", "370303001"], "须绑定"),
    (["--role", "facility_staff", "--facility", "NOPE"], "不存在"),
])
def test_createuser_rejects_bad_input(args, message):
    f.make_tree()
    with pytest.raises(CommandError, match=message):
        call_command("createuser", "--username", "x", *args)


def test_createuser_refuses_a_taken_username():
    tree = f.make_tree()
    f.make_user(role="village_worker", orgunit=tree.v1, username="taken")
    with pytest.raises(CommandError, match="已存在"):
        call_command("createuser", "--username", "taken", "--role", "village_worker",
                     "--orgunit", tree.v1.code)
