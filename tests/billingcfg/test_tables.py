"""The table registry (`billingcfg.releases.tables`) is complete: every field of every
configuration model is declared there, or excluded here with the reason. A new
column that nobody maps fails here, not in a release that silently lacks it."""

from django.apps import apps

from billingcfg.models import ApiKey, Release, ReleaseProduct, ReleaseWithdrawal
from billingcfg.releases.tables import ALIASES, SUPPLIER_NAMES, TABLES

REGISTERED = {table.model: table for table in (*TABLES, ALIASES, SUPPLIER_NAMES)}

# Models of the configuration apps that are not configuration tables.
NOT_TABLES = {
    Release: "a published document, stored as its bytes; never part of the draft",
    ReleaseWithdrawal: "belongs to a release, not to the draft",
    ReleaseProduct: "one product's document of a release, stored as its bytes; never part of the draft",
    ApiKey: "an access credential, not pricing configuration",
}

# Fields of configuration tables that no document, loader or sheet carries.
EXCLUDED_FIELDS = {
    "id": "the database id: rows travel by their natural keys, never by id",
}


def _history_models() -> set:
    return {model.history.model for model in REGISTERED}


def test_every_model_of_the_configuration_apps_is_a_table_or_says_why_not():
    history = _history_models()
    unaccounted = [
        f"{model._meta.app_label}.{model.__name__}"
        for app in ("billingcfg", "plans", "rates")
        for model in apps.get_app_config(app).get_models()
        if model not in REGISTERED and model not in NOT_TABLES and model not in history
    ]

    assert unaccounted == [], "declare them in billingcfg/releases/tables.py, or in NOT_TABLES with the reason"


def test_every_field_of_a_configuration_table_is_in_the_registry_or_excluded():
    unmapped = []
    for model, table in REGISTERED.items():
        mapped = set(table.fields) | {ref.field for ref in table.refs}
        for field in model._meta.concrete_fields:
            if (
                field.name not in mapped
                and field.name not in EXCLUDED_FIELDS
                and f"{model.__name__}.{field.name}" not in EXCLUDED_FIELDS
            ):
                unmapped.append(f"{model.__name__}.{field.name}")

    assert unmapped == [], (
        "add a Column or Ref in billingcfg/releases/tables.py, or an EXCLUDED_FIELDS entry saying why"
    )


def test_the_registry_names_only_fields_its_models_have():
    for model, table in REGISTERED.items():
        names = {field.name for field in model._meta.concrete_fields}
        assert set(table.fields) | {ref.field for ref in table.refs} <= names, table.name
        assert set(table.key) <= set(table.fields) | set(table.ref_of), table.name


def test_an_unmapped_field_is_found(monkeypatch):
    """The check itself: a table that forgets a column fails it."""
    from dataclasses import replace

    from billingcfg.releases import tables

    costs = tables.TABLE["provider_costs"]
    forgetful = replace(costs, columns=tuple(column for column in costs.columns if column.name != "tier_mode"))
    monkeypatch.setitem(REGISTERED, forgetful.model, forgetful)

    try:
        test_every_field_of_a_configuration_table_is_in_the_registry_or_excluded()
    except AssertionError as failure:
        assert "ProviderCost.tier_mode" in str(failure)
    else:
        raise AssertionError("a forgotten column went unnoticed")
