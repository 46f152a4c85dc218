"""Rights of the Instructors group, granted by data migrations of each app."""

from django.contrib.auth.management import create_permissions


def grant_to_instructors(apps, app_label: str, codenames: list[str]) -> None:
    """Give the Instructors group these rights of app_label, creating the rights if needed.

    Django creates permissions only after all migrations ran; a data migration on a fresh
    database must create them itself.
    """
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Instructors")
    permissions = Permission.objects.filter(
        content_type__app_label=app_label, codename__in=codenames
    )
    if permissions.count() != len(codenames):
        raise RuntimeError(f"Missing permissions among {codenames} of {app_label}")
    group.permissions.add(*permissions)
