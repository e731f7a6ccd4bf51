"""The roles' permissions on price-list aliases (rates 0002): viewers see them,
editors and publishers add, change and delete them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen here as they were when aliases were added; billingcfg.core.roles is the live definition.
ROLE_PERMISSIONS = {
    "viewer": [("rates", "view_pricelistalias")],
    "editor": [("rates", f"{action}_pricelistalias") for action in ("view", "add", "change", "delete")],
    "publisher": [("rates", f"{action}_pricelistalias") for action in ("view", "add", "change", "delete")],
}


def _permissions(apps, app_label, codename):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def grant(apps, schema_editor):
    # Permissions are created after all migrations run; this migration needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for name, permissions in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*(_permissions(apps, app_label, codename) for app_label, codename in permissions))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, permissions in ROLE_PERMISSIONS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(*(_permissions(apps, app_label, codename) for app_label, codename in permissions))


class Migration(migrations.Migration):
    dependencies = [
        ("billingcfg", "0004_roles"),
        ("rates", "0002_price_list_alias"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
