"""A changelist costs the same number of queries for 2 rows as for 22: the
catalogue grows, the page does not slow down row by row."""

from collections.abc import Callable

import pytest
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext

from billingcfg.models import Action, AlertThreshold, Currency, ExchangeRate, Scope
from plans.models import CreditPack, SubscriptionPlan
from rates.models import AIModel, CreditRate, Meter, Provider, ProviderCost, Variant, Workflow
from tests import factories as f
from tests.admin.pages import admin_url


def _threshold() -> None:
    threshold = f.threshold(scope=Scope.MODEL, model=f.ai_model(default_variant=False))
    f.threshold_action(threshold=threshold, action=Action.EMAIL)
    f.threshold_action(
        threshold=threshold, action=Action.SWITCH_MODEL, switch_to_model=f.ai_model(default_variant=False)
    )


def _model() -> None:
    model = f.ai_model(default_variant=False)
    f.variant(model=model, is_default=True)
    f.variant(model=model)


def _workflow() -> None:
    workflow = f.workflow()
    f.workflow_step(workflow=workflow)
    f.workflow_step(workflow=workflow)


def _provider_cost() -> None:
    cost = f.provider_cost(for_default_variant=True)
    f.provider_cost(
        model=cost.model,
        variant=cost.variant,
        meter=cost.meter,
        tier_threshold=200_000,
        tier_mode="cliff",
        tier_meter=f.meter(),
    )


ROW_MAKERS: dict[type[Model], Callable[[], object]] = {
    CreditPack: f.credit_pack,
    SubscriptionPlan: lambda: f.plan(overage=True),
    ExchangeRate: lambda: f.exchange_rate(from_currency=f.currency()),
    AIModel: _model,
    Variant: f.variant,
    ProviderCost: _provider_cost,
    CreditRate: lambda: f.credit_rate(for_default_variant=True),
    Workflow: _workflow,
    AlertThreshold: _threshold,
    Provider: lambda: f.ai_model(default_variant=False).provider,
    Currency: f.currency,
    Meter: f.meter,
}


def _changelist_queries(client: Client, model: type[Model]) -> tuple[int, int]:
    url = admin_url(model, "changelist")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.context["cl"].result_count


@pytest.mark.parametrize("model", ROW_MAKERS, ids=lambda model: model._meta.label)
def test_changelist_query_count_is_constant(admin_client: Client, model: type[Model]) -> None:
    make_row = ROW_MAKERS[model]
    for _ in range(2):
        make_row()
    admin_client.get(admin_url(model, "changelist"))
    few_queries, few_rows = _changelist_queries(admin_client, model)
    for _ in range(20):
        make_row()
    many_queries, many_rows = _changelist_queries(admin_client, model)
    assert many_rows > few_rows
    assert many_queries == few_queries
