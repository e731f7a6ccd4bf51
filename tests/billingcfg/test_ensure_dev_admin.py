"""`manage.py ensure_dev_admin`: the development login `make run` prints."""

import io
import re
import stat
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug(settings, tmp_path):
    """DEBUG on, and the project folder (where the credentials file goes by default) in tmp_path."""
    settings.DEBUG = True
    settings.BASE_DIR = tmp_path
    return settings


@pytest.fixture
def credentials(tmp_path) -> Path:
    return tmp_path / ".dev-credentials"


def ensure_dev_admin(*args: str) -> tuple[str, str]:
    """Run the command; return its output and the password it printed."""
    out = io.StringIO()
    call_command("ensure_dev_admin", *args, stdout=out)
    password = re.search(r"password: (\S+)", out.getvalue())
    assert password, out.getvalue()
    return out.getvalue(), password.group(1)


def test_creates_a_superuser_once_and_prints_the_same_password_again(debug, credentials):
    output, password = ensure_dev_admin()
    _, again = ensure_dev_admin()

    user = get_user_model().objects.get()
    assert (user.username, user.is_superuser, user.is_staff, user.is_active) == ("admin", True, True, True)
    assert user.check_password(password)
    assert again == password
    assert "http://127.0.0.1:8000/admin/" in output
    assert "username: admin" in output
    assert f"password: {password}" in credentials.read_text()
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600


def test_refuses_without_debug(settings, credentials):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="development only; set DJANGO_DEBUG=1"):
        call_command("ensure_dev_admin", f"--credentials-file={credentials}")

    assert not get_user_model().objects.exists()
    assert not credentials.exists()


def test_sets_a_new_password_when_the_file_is_missing(debug, credentials):
    _, first = ensure_dev_admin()
    credentials.unlink()

    _, second = ensure_dev_admin()

    assert second != first
    assert get_user_model().objects.get().check_password(second)
    assert f"password: {second}" in credentials.read_text()


def test_sets_a_new_password_when_the_file_is_out_of_date(debug, credentials):
    _, first = ensure_dev_admin()
    user = get_user_model().objects.get()
    user.set_password("changed-elsewhere")
    user.save()

    _, second = ensure_dev_admin()

    assert second != first
    assert get_user_model().objects.get().check_password(second)


def test_credentials_file_and_url_can_be_given(debug, tmp_path):
    elsewhere = tmp_path / "login.txt"

    output, password = ensure_dev_admin(f"--credentials-file={elsewhere}", "--url=http://127.0.0.1:8001/admin/")

    assert "http://127.0.0.1:8001/admin/" in output
    assert f"password: {password}" in elsewhere.read_text()
