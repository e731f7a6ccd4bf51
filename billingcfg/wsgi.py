import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "billingcfg.settings")
application = get_wsgi_application()

from billingcfg.core.cache_table import cache_tables_require  # noqa: E402 (needs the settings above)

cache_tables_require()
