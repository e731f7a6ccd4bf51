"""The roles' permissions on price-list suppliers (rates 0004): viewers see them,
editors and publishers add, change and delete them; every role sees each
product's document of a release, as it sees releases."""

from django.db import migrations

from billingcfg.migrations._grants import granting

EDIT = [("rates", f"{action}_pricelistsupplier") for action in ("view", "add", "change", "delete")]
SEE_RELEASES = [("billingcfg", "view_releaseproduct")]

# Frozen here as they were when price-list suppliers were added; billingcfg.core.roles is the live definition.
ROLE_PERMISSIONS = {
    "viewer": [("rates", "view_pricelistsupplier"), *SEE_RELEASES],
    "editor": [*EDIT, *SEE_RELEASES],
    "publisher": [*EDIT, *SEE_RELEASES],
}

grant, revoke = granting(ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("billingcfg", "0011_every_threshold_has_a_product"),
        ("rates", "0005_every_rate_has_a_product_every_cost_a_supplier"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
