"""The admin login is throttled, and API keys never reach a log."""

import logging

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.views.debug import ExceptionReporter

from billingcfg.admin import security
from billingcfg.api import views
from billingcfg.core.ratelimit import client_address
from tests.api.conftest import make_key

PASSWORD = "correct horse battery staple"
WRONG = "not the password"


@pytest.mark.parametrize(
    "proxies, remote, forwarded, expected",
    [
        (0, "10.0.0.5", "", "10.0.0.5"),
        (0, "10.0.0.5", "203.0.113.9", "10.0.0.5"),  # no trusted proxy: the header is anyone's to forge
        (1, "10.0.0.5", "203.0.113.9", "203.0.113.9"),
        (1, "10.0.0.5", "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the client's own first entry is not trusted
        (2, "10.0.0.5", "198.51.100.1, 203.0.113.9", "198.51.100.1"),
        (2, "10.0.0.5", "203.0.113.9", "203.0.113.9"),
        (1, "10.0.0.5", "", "10.0.0.5"),
    ],
)
def test_client_address(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    meta = {"REMOTE_ADDR": remote, **({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {})}
    assert client_address(RequestFactory().get("/", **meta)) == expected


@pytest.fixture
def staff(django_user_model):
    cache.clear()
    yield django_user_model.objects.create_user("olga", password=PASSWORD, is_staff=True, is_superuser=True)
    cache.clear()


def log_in(username: str, password: str, address: str = "198.51.100.7") -> tuple[Client, str]:
    client = Client(REMOTE_ADDR=address)
    response = client.post("/admin/login/?next=/admin/", {"username": username, "password": password})
    text = response.content.decode() if response.status_code == 200 else ""
    return client, text


def logged_in(client: Client) -> bool:
    return client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_after_five_failures_even_the_right_password_is_refused_until_the_window_ends(staff, monkeypatch, settings):
    settings.ADMIN_LOGIN_WINDOW_SECONDS = 900
    now = {"t": 900 * 1000 + 60.0}  # one minute into a window
    monkeypatch.setattr(security, "now", lambda: now["t"])
    for _ in range(5):
        client, page = log_in("olga", WRONG)
        assert "Please enter the correct username and password" in page
        assert not logged_in(client)

    client, page = log_in("olga", PASSWORD)
    assert "Too many failed logins for this username or from this address. Try again in 14 minutes." in page
    assert not logged_in(client)
    client, page = log_in("OLGA ", PASSWORD, address="192.0.2.44")  # the same name, from elsewhere
    assert "Too many failed logins" in page

    now["t"] += 14 * 60  # the window has ended
    client, _ = log_in("olga", PASSWORD)
    assert logged_in(client)


@pytest.mark.django_db
def test_one_address_guessing_many_usernames_is_stopped_too(staff, django_user_model):
    django_user_model.objects.create_user("petra", password=PASSWORD, is_staff=True)
    for attempt in range(20):  # four times the per-username limit, spread over names
        log_in(f"guess{attempt}", WRONG, address="203.0.113.66")
    client, page = log_in("petra", PASSWORD, address="203.0.113.66")
    assert "Too many failed logins" in page and not logged_in(client)
    client, _ = log_in("petra", PASSWORD, address="203.0.113.67")
    assert logged_in(client)


@pytest.mark.django_db
def test_failures_under_the_limit_do_not_lock_anyone_out(staff):
    for _ in range(4):
        log_in("olga", WRONG)
    client, _ = log_in("olga", PASSWORD)
    assert logged_in(client)


class Recorder(logging.Handler):
    """Every record as an operator would read it: the line, the traceback, and
    for a failed request the report Django mails to the admins."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.texts = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record):
        self.texts.append(self.format(record))
        request = getattr(record, "request", None)
        if request is not None:
            exc_info = record.exc_info or (None, record.getMessage(), None)
            self.texts.append(ExceptionReporter(request, *exc_info, is_email=True).get_traceback_text())


@pytest.mark.django_db
def test_api_keys_never_reach_a_log(settings, monkeypatch):
    from billingcfg.demo.load import demo_load
    from billingcfg.releases.services import release_publish

    demo_load()
    release_publish(note="logged")
    good, _ = make_key("config:read", "quote")
    revoked, revoked_key = make_key("config:read", name="old laptop")
    revoked_key.revoked_at = revoked_key.created_at
    revoked_key.save()
    wrong = good.partition(".")[0] + ".not-the-secret"
    secrets = [good, good.partition(".")[2], revoked, revoked.partition(".")[2], wrong.partition(".")[2]]

    recorder = Recorder()
    root = logging.getLogger()
    root.addHandler(recorder)
    loggers = [root, logging.getLogger("django"), logging.getLogger("django.db.backends")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    settings.DEBUG = True  # as a debugging deployment would: every SQL statement and its parameters logged
    try:
        client = Client(raise_request_exception=False)
        for key in (good, revoked, wrong, "no-dot-" + good):
            client.get("/api/v1/config/", headers={"authorization": f"Api-Key {key}"})
        client.post(
            "/api/v1/quote/",
            {"model": "sora-2-pro", "variant": "1080p", "quantity": 1},
            content_type="application/json",
            headers={"authorization": f"Api-Key {good}"},
        )

        def fail(*args, **kwargs):
            raise RuntimeError("the server failed while answering")

        monkeypatch.setattr(views.ConfigView, "get", fail)
        failed = client.get("/api/v1/config/", headers={"authorization": f"Api-Key {good}"})
    finally:
        root.removeHandler(recorder)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)

    assert failed.status_code == 500
    logged = "\n".join(recorder.texts)
    assert "the server failed while answering" in logged and "HTTP_AUTHORIZATION" in logged
    assert "SELECT" in logged  # the SQL log was on
    assert [secret for secret in secrets if secret in logged] == []
