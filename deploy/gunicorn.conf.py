"""gunicorn's settings for an app server (README, "Deploying"):
`gunicorn -c deploy/gunicorn.conf.py billingcfg.wsgi`.

Every value can be changed by the environment variable named beside it."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Two processes per core, four threads each: a publish or an import in one thread leaves the others serving.
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))  # a 20,000-row import takes about 20 s
graceful_timeout = 30
keepalive = 5
# The load balancer sets X-Forwarded-*; only addresses listed here may (comma-separated, '*' for any).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Access log without headers or bodies: the Authorization header (API keys) never reaches a log.
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
errorlog = "-"
# No runtime control socket: its default path (~/.gunicorn/gunicorn.ctl) is one per user, shared by
# every gunicorn on the host; servers are started and stopped by the process manager instead.
control_socket_disable = True
