"""Make sure a development superuser exists and say how to log in.

`make run` calls this so a newcomer reaches the admin without a
`createsuperuser` prompt, and without a well-known password: the password is
random, kept in a 0600 file outside git, and printed on every run. It refuses
to run unless DEBUG is on, so it can never plant a login in a deployment.
"""

import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

USERNAME = "admin"
PASSWORD_PREFIX = "password: "


class Command(BaseCommand):
    help = "Development only: ensure the superuser 'admin' exists and print how to log in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--credentials-file",
            type=Path,
            default=settings.BASE_DIR / ".dev-credentials",
            help="Where the generated password is kept (default: .dev-credentials in the project folder).",
        )
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000/admin/",
            help="The admin URL to print.",
        )

    def handle(self, *args: Any, credentials_file: Path, url: str, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("ensure_dev_admin is for development only; set DJANGO_DEBUG=1")
        User = get_user_model()
        user = User._default_manager.filter(**{User.USERNAME_FIELD: USERNAME}).first()
        password = read_password(credentials_file)
        if user is None or password is None or not user.check_password(password):
            # A new user always gets a new password; so does one whose file is gone or out of date.
            # Should the save below fail, the file is out of date and the next run starts over.
            user = user or User(**{User.USERNAME_FIELD: USERNAME})
            password = secrets.token_urlsafe(16)
            user.set_password(password)
            write_credentials(credentials_file, url, password)
        user.is_active = user.is_staff = user.is_superuser = True
        user.save()
        self.stdout.write(
            f"Log in at {url}\n  username: {USERNAME}\n  password: {password}\n  (kept in {credentials_file})"
        )


def read_password(path: Path) -> str | None:
    try:
        lines = path.read_text().splitlines()
    except FileNotFoundError:
        return None
    return next((line.removeprefix(PASSWORD_PREFIX) for line in lines if line.startswith(PASSWORD_PREFIX)), None)


def write_credentials(path: Path, url: str, password: str) -> None:
    """Write the login to `path`, readable by its owner only (0600, even if it existed)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(
            f"# Development login, written by `manage.py ensure_dev_admin`. Not for deployment.\n"
            f"url: {url}\nusername: {USERNAME}\n{PASSWORD_PREFIX}{password}\n"
        )
