"""The shared cache's table, when DJANGO_CACHE_URL leaves the cache to the
database: every API request counts in that cache (throttling), so without the
table the API answers nothing but errors. `migrate` makes it, on every run
(also after DJANGO_CACHE_URL is switched back to the database), and an app
server refuses to start without it, naming the command."""

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import BaseDatabaseCache
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router


def cache_tables_create(*, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate: the cache tables this database lacks (createcachetable leaves existing ones alone)."""
    call_command("createcachetable", database=using, verbosity=0)


def cache_tables_missing(*, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The database cache tables the settings name that `using` does not have."""
    tables = [caches[alias]._table for alias in settings.CACHES if isinstance(caches[alias], BaseDatabaseCache)]
    tables = [
        table for table in tables if router.allow_migrate_model(using, BaseDatabaseCache(table, {}).cache_model_class)
    ]
    if not tables:
        return []
    with connections[using].cursor() as cursor:
        present = set(connections[using].introspection.table_names(cursor))
    return [table for table in tables if table not in present]


def cache_tables_require() -> None:
    """At an app server's start: refuse to serve without the cache table. A
    database that cannot be reached is not this check's to judge: requests say so."""
    try:
        missing = cache_tables_missing()
    except DatabaseError:
        return
    finally:
        connections.close_all()
    if missing:
        raise ImproperlyConfigured(
            f"The cache table {', '.join(missing)} is missing from the database, and every API request needs it: "
            "run `python manage.py migrate`, which makes it (DJANGO_CACHE_URL leaves the cache to the database)."
        )
