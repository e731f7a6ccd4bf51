"""Granting roles (the groups of billingcfg.core.roles) permissions from a migration,
frozen as each migration lists them. Not a migration itself: the loader skips names
beginning with an underscore."""

from django.contrib.auth.management import create_permissions


def _permission(apps, app_label, codename):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def granting(role_permissions: dict[str, list[tuple[str, str]]]):
    """The (grant, revoke) pair of RunPython functions for `role_permissions`: role → (app, codename)."""

    def grant(apps, schema_editor):
        # Permissions are created after all migrations run; a migration granting them needs them now.
        for app_config in apps.get_app_configs():
            app_config.models_module = True
            create_permissions(app_config, apps=apps, verbosity=0)
            app_config.models_module = None
        Group = apps.get_model("auth", "Group")
        for name, permissions in role_permissions.items():
            group, _ = Group.objects.get_or_create(name=name)
            group.permissions.add(*(_permission(apps, app_label, codename) for app_label, codename in permissions))

    def revoke(apps, schema_editor):
        Group = apps.get_model("auth", "Group")
        for name, permissions in role_permissions.items():
            group = Group.objects.filter(name=name).first()
            if group is not None:
                group.permissions.remove(
                    *(_permission(apps, app_label, codename) for app_label, codename in permissions)
                )

    return grant, revoke
