"""Every admin page of every registered model opens for a superuser on the demo data."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import AbstractUser, Group
from django.db.models import Model
from django.test import Client, RequestFactory

from billingcfg.models import ApiKey, Release
from billingcfg.releases.services import release_publish
from tests.admin.pages import admin_url, page_data, shown_errors

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
PAGES = ["changelist", "add", "change", "history"]


def _first_row(model: type[Model]) -> Model:
    """The row whose pages are opened; groups, releases and API keys are not demo data, so one is made."""
    if model is Group:
        Group.objects.get_or_create(name="ops")
    if model is Release and not Release.objects.exists():
        release_publish(note="the demo")
    if model is ApiKey and not ApiKey.objects.exists():
        _key, prefix, hashed = ApiKey.generate()
        ApiKey.objects.create(name="checkout", prefix=prefix, hashed_key=hashed, scopes=["config:read"])
    row = model._default_manager.order_by("pk").first()
    assert row is not None, f"the demo data has no {model._meta.verbose_name}"
    return row


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_page_opens(
    admin_client: Client, admin_user: AbstractUser, demo: object, model: type[Model], page: str
) -> None:
    """A page that fails to render blocks ops from the whole table."""
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = admin_user
    if page == "add" and not model_admin.has_add_permission(request):
        response = admin_client.get(admin_url(model, "add"))
        assert response.status_code == 403
        return
    args = (_first_row(model).pk,) if page in {"change", "history"} else ()
    response = admin_client.get(admin_url(model, page, *args))
    assert response.status_code == 200


# The draft's tables; releases are read-only and API keys are not configuration.
CONFIGURATION = [
    model
    for model in REGISTERED
    if model._meta.app_label in {"billingcfg", "plans", "rates"} and model not in (Release, ApiKey)
]


@pytest.mark.parametrize("model", CONFIGURATION, ids=lambda model: model._meta.label)
def test_every_demo_row_saves_unchanged(admin_client: Client, demo: object, model: type[Model]) -> None:
    """Opening a row and pressing Save must work: the admin's rules accept the data it holds."""
    for row in model._default_manager.all():
        url = admin_url(model, "change", row.pk)
        response = admin_client.post(url, page_data(admin_client.get(url)))
        assert response.status_code == 302, (str(row), shown_errors(response))
