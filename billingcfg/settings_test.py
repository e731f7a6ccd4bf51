"""Settings for the test suite: the real settings plus what a test run needs.

Only test-only conveniences live here; the database still comes from
DATABASE_URL so the same suite runs on SQLite and on PostgreSQL.
"""

from billingcfg.settings import *  # noqa: F403
from billingcfg.settings import SECRET_KEY

SECRET_KEY = SECRET_KEY or "test-only-secret-key-not-for-any-deployment"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
