"""The admin's screens for billingcfg's tables, releases, margins and the dashboard.

Django's autodiscover imports this package: importing the modules below registers their
ModelAdmins. Commands and the API import none of it; the words the admin shares with them
are in billingcfg.core.text.
"""

from billingcfg.admin import config, releases  # noqa: F401  (registers the ModelAdmins)
