"""Groups viewer, editor and publisher (billingcfg.core.roles), with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen here as they were when the groups were made; billingcfg.core.roles is the
# live definition, and later migrations add what later models need.
CONFIG_MODELS = {
    "billingcfg": ("currency", "exchangerate", "pricingpolicy", "alertthreshold", "thresholdaction"),
    "plans": ("creditpack", "subscriptionplan"),
    "rates": ("provider", "meter", "aimodel", "variant", "providercost", "creditrate", "workflow", "workflowstep"),
}


def _config(actions):
    return [(app, f"{action}_{model}") for app, models in CONFIG_MODELS.items() for model in models
            for action in actions]


ROLE_PERMISSIONS = {
    "viewer": _config(("view",)) + [("billingcfg", "view_release")],
    "editor": _config(("view", "add", "change", "delete")) + [("billingcfg", "view_release")],
    "publisher": _config(("view", "add", "change", "delete"))
    + [("billingcfg", "view_release"), ("billingcfg", "publish_release")],
}


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in permissions:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["viewer", "editor", "publisher"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("billingcfg", "0003_release_api_key"),
        ("plans", "0001_initial"),
        ("rates", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
