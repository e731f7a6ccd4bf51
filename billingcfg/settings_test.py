"""Settings for the test suite: the real settings plus what a test run needs.

Only test-only conveniences live here; the database still comes from
DATABASE_URL so the same suite runs on SQLite and on PostgreSQL. Security
headers (CSP, X-Frame-Options, nosniff) stay as in production; only what needs
HTTPS or collected static files is off, as the test client and the live server
speak plain HTTP and serve static files from the apps.
"""

from billingcfg.settings import *  # noqa: F403
from billingcfg.settings import MIDDLEWARE, SECRET_KEY, STORAGES

SECRET_KEY = SECRET_KEY or "test-only-secret-key-not-for-any-deployment"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Static files come from the apps (the live server's handler), not from collectstatic's folder.
MIDDLEWARE = [name for name in MIDDLEWARE if name != "whitenoise.middleware.WhiteNoiseMiddleware"]
