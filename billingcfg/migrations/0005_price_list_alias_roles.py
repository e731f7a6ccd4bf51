"""The roles' permissions on price-list aliases (rates 0002): viewers see them,
editors and publishers add, change and delete them."""

from django.db import migrations

from billingcfg.migrations._grants import granting

# Frozen here as they were when aliases were added; billingcfg.core.roles is the live definition.
ROLE_PERMISSIONS = {
    "viewer": [("rates", "view_pricelistalias")],
    "editor": [("rates", f"{action}_pricelistalias") for action in ("view", "add", "change", "delete")],
    "publisher": [("rates", f"{action}_pricelistalias") for action in ("view", "add", "change", "delete")],
}

grant, revoke = granting(ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("billingcfg", "0004_roles"),
        ("rates", "0002_price_list_alias"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
