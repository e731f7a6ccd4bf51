"""Backends leaning on the API while ops staff publish: gunicorn on PostgreSQL
as deploy/gunicorn.conf.py runs it (gthread workers, keep-alive), client
threads on loopback fetching the configuration (with and without
If-None-Match) and asking for quotes, while this process publishes a release
every few seconds. Used by tests/load/test_load_publish.py and by
bench/load_publish.py (longer, with more clients).

Each request carries an X-Request-Id that gunicorn's access log writes beside
the worker's pid, the status and the ETag, so every answer is known by the
worker that gave it. What is measured (`Figures`):

- every answer: a status the request may get, a 200 body whose sha256 is its
  ETag, a release that was published, a quote priced on that release;
- staleness: an answer that served a release after the next one's publish had
  committed, by how long its request started after that commit. A worker
  answers from the release in force it last read for RELEASE_CHECK_SECONDS, so
  staleness stays under RELEASE_CHECK_SECONDS plus a margin (`Plan.bound`);
- every worker served every release published during the load, and never
  answered a request with an older release than one it had already answered
  (a request that started after that answer ended).

Times are time.monotonic() in this process: a request's start is taken before
it is sent, a publish's commit after release_publish returns, so a measured
staleness is never longer than the real one.
"""

import hashlib
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from pathlib import Path
from urllib.parse import quote

from tests import servers

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/4"  # bench/api.py uses 3

CONFIG, REVALIDATE, QUOTE = "config", "config If-None-Match", "quote"
KINDS = (CONFIG, REVALIDATE, QUOTE)
# What a client asks, in turn: the configuration once, then mostly revalidating
# what it holds (so it is usually a revalidation that meets a new release) and quotes.
TURNS = (CONFIG, QUOTE, REVALIDATE, QUOTE, REVALIDATE)
QUOTED_MODEL, QUOTED_SECONDS = "sora-2-pro", 12
QUOTE_BODY = json.dumps({"model": QUOTED_MODEL, "variant": "1080p", "quantity": QUOTED_SECONDS}).encode()
FIRST_CREDITS = 35  # the demo's Sora 2 Pro rate, credits a second; each publish adds one
EXPECTED_STATUS = {CONFIG: {200}, REVALIDATE: {200, 304}, QUOTE: {200}}
# pid, status, request line, request id, ETag
ACCESS_LOG_FORMAT = '%(p)s %(s)s "%(r)s" %({x-request-id}i)s %({etag}o)s'
ACCESS_LINE = re.compile(r'^<(\d+)> (\d{3}) "([^"]*)" (\S+) (\S+)$')  # gunicorn writes the ETag's quotes as \"


@dataclass(frozen=True)
class Plan:
    workers: int = 2
    threads: int = 4  # per worker: deploy/gunicorn.conf.py's default
    clients: int = 6
    # A client keeps its connection for this many requests, then opens another, as a
    # pool recycles them: a kept-alive connection stays with one worker, so new ones
    # are what spread the clients over every worker.
    requests_per_connection: int = 20
    publishes: int = 5
    lead: float = 1.0  # seconds of load before the first publish
    gap: float = 2.0  # seconds between a publish's commit and the next publish
    tail: float = 3.0  # seconds of load after the last publish's commit
    check_seconds: float = 1.0  # RELEASE_CHECK_SECONDS, the product's default
    # A worker's read of the release in force is two one-row queries; its snapshot
    # can predate a commit by the time they take, and the worker answers from it
    # for check_seconds after they end. Milliseconds when idle; the margin covers
    # a worker descheduled between the query and its clock reading on a shared,
    # busy 2-core machine.
    margin: float = 1.0
    cache: str = "auto"  # "redis" (when it answers), "database", or "auto"

    @property
    def bound(self) -> float:
        """The longest a request may start after a publish committed and still get the release it replaced."""
        return self.check_seconds + self.margin


@dataclass(frozen=True)
class Published:
    version: int
    sha256: str  # the default product's document's (what /api/v1/config/ serves)
    credits: int  # Sora 2 Pro credits a second in this release
    started: float  # monotonic, before the draft was changed
    committed: float  # monotonic, after release_publish returned


@dataclass
class Answer:
    kind: str
    request_id: str
    started: float
    ended: float
    status: int | None = None
    etag: str | None = None  # without quotes
    sent_etag: str | None = None  # If-None-Match, without quotes
    digest: str | None = None  # sha256 of a 200 config body
    release: int | None = None  # a quote's release
    credits: int | None = None  # a quote's credits
    error: str | None = None
    connected: bool = False  # the request opened a connection (the first, or the server had closed the last)


@dataclass
class Figures:
    plan: Plan
    cache: str
    seconds: float  # of load, warm-up excluded
    publishes: int  # during the load
    requests: dict[str, dict[str, int]]  # kind -> status -> count
    connections: int  # opened by the clients
    errors: list[str]
    stale_answers: int  # answers that served a release after its successor committed
    longest_stale: float  # seconds: the longest of those, from the commit to the request's start
    workers: dict[str, dict]  # pid -> requests, longest_stale
    missed: list[str]  # a worker that never served a release published during the load
    backwards: list[str]  # a worker that served an older release after a newer one
    server_messages: list[str] = field(default_factory=list)  # gunicorn's own log, when there were errors

    @property
    def total(self) -> int:
        return sum(sum(statuses.values()) for statuses in self.requests.values())

    def summary(self) -> str:
        kinds = "; ".join(
            f"{kind} " + ", ".join(f"{count:,} × {status}" for status, count in sorted(statuses.items()))
            for kind, statuses in self.requests.items()
        )
        workers = ", ".join(
            f"pid {pid}: {worker['requests']:,} (stale ≤ {worker['longest_stale']:.3f} s)"
            for pid, worker in sorted(self.workers.items())
        )
        return (
            f"load: gunicorn {self.plan.workers} gthread workers × {self.plan.threads} threads, "
            f"{self.plan.clients} clients, "
            f"{self.seconds:.1f} s, {self.publishes} publishes, cache {self.cache}: "
            f"{self.total:,} requests on {self.connections:,} connections ({kinds}); errors {len(self.errors)}; "
            f"longest a worker served a superseded release after a publish: {self.longest_stale:.3f} s "
            f"({self.stale_answers:,} such answers; bound {self.plan.bound:.1f} s); workers: {workers}"
        )

    def as_json(self) -> dict:
        return {**asdict(self), "plan": {**asdict(self.plan), "bound": self.plan.bound}, "total": self.total}


# ---- the database side: run in the process that publishes ------------------------------------


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for gunicorn naming the database this process uses (the test database in a test)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def catalogue_prepare() -> tuple[str, Published]:
    """The demo configuration published as the first release, and an API key reading it."""
    from billingcfg.demo.load import demo_load
    from billingcfg.models import Product
    from billingcfg.release_models import ApiKey, ApiScope

    demo_load()
    first = release_publish_next(FIRST_CREDITS)
    key, prefix, hashed = ApiKey.generate()
    api_key = ApiKey.objects.create(name="load test", prefix=prefix, hashed_key=hashed, scopes=[ApiScope.CONFIG_READ])
    api_key.products.set(Product.objects.filter(is_default=True))  # the deprecated /config/ and /quote/ serve it
    return key, first


def release_publish_next(credits: int) -> Published:
    """What ops staff do: change a credit rate, publish. Timed around the commit."""
    from billingcfg.models import Product
    from billingcfg.releases.services import release_publish
    from rates.models import CreditRate

    started = time.monotonic()
    CreditRate.objects.filter(model__slug=QUOTED_MODEL).update(credits=credits)
    release = release_publish(note=f"Load test: {QUOTED_MODEL} at {credits} credits a second")
    # /api/v1/config/ serves the default product's document: its sha256 is the ETag; each publish changes it.
    default = release.products.get(product=Product.objects.get(is_default=True).slug)
    return Published(release.version, default.sha256, credits, started, time.monotonic())


# ---- gunicorn ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    port: int
    access_log: Path
    error_log: Path
    cache: str


def _cache(plan: Plan) -> str:
    if plan.cache == "auto":
        return "redis" if redis_answers() else "database"
    return plan.cache


@contextmanager
def serving(database: str, plan: Plan, folder: Path):
    """gunicorn as deploy/gunicorn.conf.py and the production settings run it, on a
    free loopback port with plan.workers × plan.threads, an access log naming the
    worker, request and ETag of each answer, and the host and secret key of a
    test. The clients send X-Forwarded-Proto as the TLS load balancer does.
    Stopped with its workers however the block ends."""
    cache = _cache(plan)
    server = Server(servers.free_port(), folder / "access.log", folder / "gunicorn.log", cache)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "billingcfg.settings",
        "DATABASE_URL": database,
        "DJANGO_SECRET_KEY": "load-test-only",
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_BEHIND_TLS_PROXY": "1",
        "GUNICORN_BIND": f"127.0.0.1:{server.port}",
        "GUNICORN_WORKERS": str(plan.workers),
        "GUNICORN_THREADS": str(plan.threads),
        "DJANGO_LOG_LEVEL": "WARNING",
        "API_THROTTLE_RATE": "1000000000/minute",  # the throttle counts every request, and never refuses one
        "RELEASE_CHECK_SECONDS": str(plan.check_seconds),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DJANGO_CACHE_URL", None)
    if cache == "redis":
        env["DJANGO_CACHE_URL"] = REDIS_URL
    else:  # the cache table, as a deploy makes it: `migrate` with the workers' own settings
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env, check=True
        )
    with (
        server.error_log.open("ab") as output,
        servers.gunicorn(
            env,
            "--graceful-timeout",
            "5",
            "--access-logfile",
            str(server.access_log),
            "--access-logformat",
            ACCESS_LOG_FORMAT,
            "--error-logfile",
            str(server.error_log),
            "--log-level",
            "info",
            output=output,
        ),
    ):
        yield server


def _access_lines(path: Path) -> list[tuple[str, int, str, str, str]]:
    """(pid, status, request line, request id, ETag without quotes) per line, in the order written."""
    lines = []
    if path.exists():
        for line in path.read_text().splitlines():
            match = ACCESS_LINE.match(line)
            if match:
                pid, status, request, request_id, etag = match.groups()
                lines.append((pid, int(status), request, request_id, etag.replace('\\"', "").strip('"')))
    return lines


# ---- the clients ------------------------------------------------------------------------------


def _client(
    port: int, key: str, name: str, stop: threading.Event, answers: list[Answer], requests_per_connection: int
) -> None:
    """One backend: fetches the configuration, revalidates what it holds, asks for quotes (TURNS).
    http.client keeps the connection while the server does, and opens a new one when it is closed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    held = None
    number = 0
    try:
        while not stop.is_set():
            if number and number % requests_per_connection == 0:
                connection.close()
            kind = TURNS[number % len(TURNS)]
            request_id = f"{name}-{number}"
            number += 1
            headers = {"Authorization": f"Api-Key {key}", "X-Request-Id": request_id, "X-Forwarded-Proto": "https"}
            if kind == REVALIDATE:
                headers["If-None-Match"] = f'"{held}"'
            connected = connection.sock is None
            started = time.monotonic()
            try:
                if kind == QUOTE:
                    connection.request(
                        "POST", "/api/v1/quote/", QUOTE_BODY, {**headers, "Content-Type": "application/json"}
                    )
                else:
                    connection.request("GET", "/api/v1/config/", headers=headers)
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as error:
                answers.append(
                    Answer(
                        kind,
                        request_id,
                        started,
                        time.monotonic(),
                        connected=connected,
                        error=f"{type(error).__name__}: {error}",
                    )
                )
                connection.close()
                continue
            answer = Answer(
                kind,
                request_id,
                started,
                time.monotonic(),
                connected=connected,
                status=response.status,
                etag=(response.getheader("ETag") or "").strip('"') or None,
                sent_etag=held if kind == REVALIDATE else None,
            )
            if kind == QUOTE and response.status == 200:
                try:
                    quoted = json.loads(body)
                    answer.release, answer.credits = quoted["release"], quoted["credits"]
                except (ValueError, TypeError, KeyError) as error:
                    answer.error = f"not a quote ({error!r}): {body[:200]!r}"
            elif kind != QUOTE and response.status == 200:
                answer.digest = hashlib.sha256(body).hexdigest()
            elif response.status not in EXPECTED_STATUS[kind]:
                answer.error = f"{response.status}: {body[:200]!r}"
            if kind != QUOTE and answer.etag:
                held = answer.etag
            answers.append(answer)
    except Exception as error:  # noqa: BLE001 - a client that stops is an error, not fewer requests
        answers.append(
            Answer(
                "client", f"{name}-{number}", time.monotonic(), time.monotonic(), error=f"the client stopped: {error!r}"
            )
        )
    finally:
        connection.close()


@contextmanager
def _clients(server: Server, key: str, plan: Plan, name: str):
    """plan.clients clients loading the server until the block ends; yields the list their answers go to."""
    stop, answers = threading.Event(), []
    threads = [
        threading.Thread(
            target=_client,
            daemon=True,
            args=(server.port, key, f"{name}{index}", stop, answers, plan.requests_per_connection),
        )
        for index in range(plan.clients)
    ]
    for thread in threads:
        thread.start()
    try:
        yield answers
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def _warm_up(server: Server, key: str, plan: Plan, timeout: float = 60) -> None:
    """Until every worker has answered (each has booted and read the release)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with _clients(server, key, plan, "warm"):
            time.sleep(0.5)
        if len({pid for pid, *_ in _access_lines(server.access_log)}) >= plan.workers:
            return
    messages = server.error_log.read_text()[-3000:] if server.error_log.exists() else ""
    raise RuntimeError(f"gunicorn's {plan.workers} workers did not all answer within {timeout:.0f} s:\n{messages}")


# ---- a run --------------------------------------------------------------------------------------


def measure(database: str, plan: Plan, *, key: str, first: Published) -> Figures:
    """Serve, warm up, load while publishing plan.publishes releases after `first`, stop; the figures."""
    with tempfile.TemporaryDirectory(prefix="load-publish-") as folder:
        with serving(database, plan, Path(folder)) as server:
            _warm_up(server, key, plan)
            published = [first]
            with _clients(server, key, plan, "c") as answers:
                began = time.monotonic()
                time.sleep(plan.lead)
                for number in range(plan.publishes):
                    if number:
                        time.sleep(plan.gap)
                    published.append(release_publish_next(published[-1].credits + 1))
                time.sleep(plan.tail)
            seconds = time.monotonic() - began
        return analyse(plan, server, answers, published, seconds)


def analyse(plan: Plan, server: Server, answers: list[Answer], published: list[Published], seconds: float) -> Figures:
    by_version = {release.version: release for release in published}
    by_sha = {release.sha256: release for release in published}
    successor = {earlier.version: later for earlier, later in pairwise(published)}
    logged = {request_id: (pid, status, etag) for pid, status, _, request_id, etag in _access_lines(server.access_log)}
    requests: dict[str, Counter] = {kind: Counter() for kind in KINDS}
    errors: list[str] = []
    served: dict[str, int] = {}  # request id -> release version
    stale_answers, longest = 0, 0.0
    worker_requests: Counter = Counter()
    worker_stale: dict[str, float] = defaultdict(float)

    for answer in sorted(answers, key=lambda answer: answer.started):
        where = f"{answer.request_id} ({answer.kind})"
        if answer.error:
            errors.append(f"{where}: {answer.error}")
            if answer.status is not None:
                requests[answer.kind][str(answer.status)] += 1
            continue
        requests[answer.kind][str(answer.status)] += 1
        pid, logged_status, logged_etag = logged.get(answer.request_id, (None, None, None))
        if pid is None:
            errors.append(f"{where}: not in gunicorn's access log")
            continue
        worker_requests[pid] += 1
        if logged_status != answer.status:
            errors.append(f"{where}: answered {answer.status}, logged {logged_status}")
        if answer.kind == QUOTE:
            release = by_version.get(answer.release)
            if release is None:
                errors.append(f"{where}: priced on release {answer.release}, never published")
                continue
            if answer.credits != release.credits * QUOTED_SECONDS:
                errors.append(
                    f"{where}: {answer.credits} credits on release {release.version}, "
                    f"which charges {release.credits * QUOTED_SECONDS}"
                )
        else:
            release = by_sha.get(answer.etag)
            if release is None:
                errors.append(f"{where}: ETag {answer.etag}, no published release")
                continue
            if logged_etag != answer.etag:
                errors.append(f"{where}: ETag {answer.etag}, logged {logged_etag}")
            if answer.status == 200 and answer.digest != answer.etag:
                errors.append(f"{where}: body sha256 {answer.digest} is not its ETag {answer.etag}")
            if answer.status == 304 and answer.etag != answer.sent_etag:
                errors.append(f"{where}: 304 for If-None-Match {answer.sent_etag}, current is {answer.etag}")
            if answer.status == 200 and answer.kind == REVALIDATE and answer.etag == answer.sent_etag:
                errors.append(f"{where}: 200 although If-None-Match {answer.sent_etag} is current")
        if answer.ended < release.started:
            errors.append(f"{where}: release {release.version} answered before it was published")
        served[answer.request_id] = release.version
        newer = successor.get(release.version)
        if newer is not None and answer.started > newer.committed:
            stale = answer.started - newer.committed
            stale_answers += 1
            longest = max(longest, stale)
            worker_stale[pid] = max(worker_stale[pid], stale)

    pids = sorted(worker_requests)
    if len(pids) != plan.workers:
        errors.append(f"{len(pids)} workers answered ({', '.join(pids)}), not {plan.workers}: one was restarted")
    by_pid: dict[str, list[Answer]] = defaultdict(list)
    for answer in answers:
        if answer.request_id in served:
            by_pid[logged[answer.request_id][0]].append(answer)
    missed = [
        f"worker {pid} never served release {release.version}"
        for release in published[1:]
        for pid in pids
        if all(served[answer.request_id] != release.version for answer in by_pid[pid])
    ]
    backwards = []
    for pid, worker_answers in by_pid.items():
        ended = sorted((answer.ended, served[answer.request_id], answer.request_id) for answer in worker_answers)
        newest, newest_id, position = 0, None, 0
        for answer in sorted(worker_answers, key=lambda answer: answer.started):
            while position < len(ended) and ended[position][0] < answer.started:
                if ended[position][1] > newest:
                    newest, newest_id = ended[position][1], ended[position][2]
                position += 1
            if served[answer.request_id] < newest:
                backwards.append(
                    f"worker {pid} served release {served[answer.request_id]} ({answer.request_id}) "
                    f"after release {newest} ({newest_id})"
                )
    messages = []
    if errors and server.error_log.exists():
        messages = server.error_log.read_text().splitlines()[-40:]
    return Figures(
        plan=plan,
        cache=server.cache,
        seconds=seconds,
        publishes=len(published) - 1,
        requests={kind: dict(sorted(statuses.items())) for kind, statuses in requests.items()},
        connections=sum(answer.connected for answer in answers),
        errors=errors,
        stale_answers=stale_answers,
        longest_stale=longest,
        workers={pid: {"requests": worker_requests[pid], "longest_stale": worker_stale[pid]} for pid in pids},
        missed=missed,
        backwards=backwards,
        server_messages=messages,
    )
