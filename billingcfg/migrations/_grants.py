"""Granting roles (the groups of billingcfg.core.roles) permissions from a migration,
frozen as each migration lists them. Not a migration itself: the loader skips names
beginning with an underscore."""


def _permission(apps, app_label, codename):
    """The permission, made now when the migrations have not made it yet (Django makes
    permissions after all migrations run). Only the ones named are made: making every
    model's here would collide with the renames Django makes at the end (a renamed
    model's permissions)."""
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    action, model_name = codename.split("_", 1)
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model_name)
    verbose_name = apps.get_model(app_label, model_name)._meta.verbose_name_raw
    return Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": f"Can {action} {verbose_name}"}
    )[0]


def granting(role_permissions: dict[str, list[tuple[str, str]]]):
    """The (grant, revoke) pair of RunPython functions for `role_permissions`: role → (app, codename)."""

    def grant(apps, schema_editor):
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
