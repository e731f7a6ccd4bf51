"""An app server as a deployment runs it, for the tests that need a real one
(tests/test_deploy.py, tests/load/): gunicorn with deploy/gunicorn.conf.py on a
free loopback port, stopped with its workers however the test ends."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_listening(port: int, process: subprocess.Popen, name: str, *, within: float = 60) -> None:
    """Return once something listens on the loopback `port`; fail if `process` exits first or it takes too long."""
    deadline = time.monotonic() + within
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert process.poll() is None, f"{name} exited at start"
            assert time.monotonic() < deadline, f"{name} did not listen within {within:.0f} s"
            time.sleep(0.2)


@contextmanager
def gunicorn(env: dict[str, str], *arguments: str, output=subprocess.DEVNULL) -> Iterator[subprocess.Popen]:
    """gunicorn -c deploy/gunicorn.conf.py [arguments] billingcfg.wsgi, in its own
    process group (GUNICORN_BIND in `env` says where); SIGTERM to the group at the
    end, SIGKILL if it has not stopped within 15 s."""
    process = subprocess.Popen(
        [
            str(GUNICORN),
            "--config",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            *arguments,
            "billingcfg.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
