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
from tests.admin import factories as make
from tests.admin.pages import admin_url


def _threshold() -> None:
    threshold = make.threshold_make(scope=Scope.MODEL, model=make.model_make())
    make.threshold_action_make(threshold=threshold, action=Action.EMAIL)
    make.threshold_action_make(threshold=threshold, action=Action.SWITCH_MODEL, switch_to_model=make.model_make())


def _model() -> None:
    model = make.model_make()
    make.variant_make(model=model, is_default=True)
    make.variant_make(model=model)


def _workflow() -> None:
    workflow = make.workflow_make()
    make.workflow_step_make(workflow=workflow)
    make.workflow_step_make(workflow=workflow)


def _provider_cost() -> None:
    cost = make.provider_cost_make()
    make.provider_cost_make(
        model=cost.model, variant=cost.variant, meter=cost.meter, tier_threshold=200_000, tier_mode="cliff",
        tier_meter=make.meter_make(),
    )


ROW_MAKERS: dict[type[Model], Callable[[], object]] = {
    CreditPack: make.pack_make,
    SubscriptionPlan: make.plan_make,
    ExchangeRate: make.exchange_rate_make,
    AIModel: _model,
    Variant: make.variant_make,
    ProviderCost: _provider_cost,
    CreditRate: make.credit_rate_make,
    Workflow: _workflow,
    AlertThreshold: _threshold,
    Provider: lambda: make.model_make().provider,
    Currency: make.currency_make,
    Meter: make.meter_make,
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
