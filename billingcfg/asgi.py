import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "billingcfg.settings")
application = get_asgi_application()

from billingcfg.core.cache_table import cache_tables_require  # noqa: E402 (needs the settings above)

cache_tables_require()
