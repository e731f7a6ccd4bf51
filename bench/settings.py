"""Settings for the API benchmark's gunicorn: the real settings plus one bare
view (bench/urls.py) that serves the same bytes with no authentication."""

from billingcfg.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# Loopback over plain HTTP: no redirect to HTTPS (production keeps it, see README "Deploying").
SECURE_SSL_REDIRECT = False
