"""Every rule the models hold is shown as an error on the admin page that breaks
it: the page comes back with the rule's own message and nothing is written,
never a server error."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps
from django.db.models import Model
from django.test import Client
from django.utils.html import escape

from billingcfg.models import (
    Action,
    AlertThreshold,
    Currency,
    ExchangeRate,
    Metric,
    Product,
    RevenueBasis,
    Scope,
    ThresholdAction,
)
from plans.models import CreditPack, SubscriptionPlan
from rates.models import AIModel, CreditRate, ProviderCost, Variant, Workflow, WorkflowStep
from tests import factories as f
from tests.admin.pages import add_row, admin_url, change_url, page_data, shown_errors

CONFIG_APPS = ["billingcfg", "plans", "rates"]


@dataclass(frozen=True)
class Post:
    """A page as submitted, the message it must come back with, and the field it names, if any."""

    url: str
    data: dict[str, str]
    message: str
    field: str | None = None


@dataclass(frozen=True)
class Breach:
    """One rule broken from the admin: `rule` is a constraint's name, or what a clean() or formset rule says."""

    rule: str
    prepare: Callable[[Client], Post]


def message_of(model: type[Model], constraint: str) -> str:
    """The constraint's message as the page shows it."""
    return next(c.get_violation_error_message() for c in model._meta.constraints if c.name == constraint)


def edit(
    client: Client,
    url: str,
    message: str,
    fields: dict[str, str] | None = None,
    rows: dict[str, list[dict[str, str]]] | None = None,
    field: str | None = None,
) -> Post:
    """The page at `url` as a browser would post it, with `fields` changed and `rows` added to inlines."""
    response = client.get(url)
    assert response.status_code == 200
    data = page_data(response)
    data.update(fields or {})
    for prefix, values in (rows or {}).items():
        for row in values:
            add_row(data, prefix, row)
    return Post(url, data, message, field)


def changed(
    model: type[Model], constraint: str, make_row: Callable[[], Model], **fields: str
) -> Callable[[Client], Post]:
    """A new row's change page with `fields` set to values that break `constraint`."""
    return lambda client: edit(client, change_url(make_row()), message_of(model, constraint), fields)


def broken(model: type[Model], constraint: str, make_row: Callable[[], Model], **fields: str) -> Breach:
    """`constraint` broken on a new row's change page (see `changed`), named by the constraint."""
    return Breach(constraint, changed(model, constraint, make_row, **fields))


def _pk(row: Model | None) -> str:
    return "" if row is None else str(row.pk)


def _rate_duplicate(client: Client) -> Post:
    stored = f.exchange_rate()
    fields = {
        "from_currency": _pk(stored.from_currency),
        "to_currency": _pk(stored.to_currency),
        "to_amount": "2",
        "as_of": stored.as_of.isoformat(),
    }
    return edit(
        client, admin_url(ExchangeRate, "add"), message_of(ExchangeRate, "exchange_rate_one_per_pair_and_date"), fields
    )


def _rate_same_currency(client: Client) -> Post:
    rate = f.exchange_rate()
    return edit(
        client,
        change_url(rate),
        message_of(ExchangeRate, "exchange_rate_two_currencies"),
        {"to_currency": _pk(rate.from_currency)},
    )


def _cost_copy(stored: ProviderCost, constraint: str, client: Client) -> Post:
    fields = {
        "model": _pk(stored.model),
        "variant": _pk(stored.variant),
        "meter": _pk(stored.meter),
        "supplier": _pk(stored.supplier),
        "price": "9",
        "currency": _pk(stored.currency),
        "as_of": "2025-02-01",
        "tier_threshold": "" if stored.tier_threshold is None else str(stored.tier_threshold),
        "tier_mode": stored.tier_mode,
    }
    return edit(client, admin_url(ProviderCost, "add"), message_of(ProviderCost, constraint), fields)


def _cost_base_twice(with_variant: bool) -> Callable[[Client], Post]:
    constraint = f"provider_cost_base_unique_{'per_variant' if with_variant else 'all_variants'}"

    def prepare(client: Client) -> Post:
        stored = f.provider_cost(for_default_variant=with_variant)
        return _cost_copy(stored, constraint, client)

    return prepare


def _cost_tier_twice(with_variant: bool) -> Callable[[Client], Post]:
    constraint = f"provider_cost_tier_unique_{'per_variant' if with_variant else 'all_variants'}"

    def prepare(client: Client) -> Post:
        base = f.provider_cost(for_default_variant=with_variant)
        tier = f.provider_cost(
            model=base.model,
            variant=base.variant,
            meter=base.meter,
            tier_threshold=Decimal("200000"),
            tier_mode="cliff",
        )
        return _cost_copy(tier, constraint, client)

    return prepare


def _credit_rate_twice(with_variant: bool) -> Callable[[Client], Post]:
    constraint = f"credit_rate_unique_{'per_variant' if with_variant else 'all_variants'}"

    def prepare(client: Client) -> Post:
        stored = f.credit_rate(for_default_variant=with_variant)
        fields = {
            "product": _pk(stored.product),
            "model": _pk(stored.model),
            "variant": _pk(stored.variant),
            "meter": _pk(stored.meter),
            "credits": "3",
        }
        return edit(client, admin_url(CreditRate, "add"), message_of(CreditRate, constraint), fields)

    return prepare


def _variant_slug_twice(client: Client) -> Post:
    first = f.variant(is_default=True)
    second = f.variant(model=first.model)
    return edit(client, change_url(second), message_of(Variant, "variant_slug_unique_per_model"), {"slug": first.slug})


def _variant_second_default(client: Client) -> Post:
    first = f.variant(is_default=True)
    second = f.variant(model=first.model)
    return edit(client, change_url(second), message_of(Variant, "variant_one_default_per_model"), {"is_default": "on"})


def _model_page_with_variant() -> tuple[AIModel, Variant]:
    variant = f.variant(is_default=True)
    return variant.model, variant


def _model_add_fields(provider=None) -> dict[str, str]:
    return {"slug": "veo-3", "name": "Veo 3", "provider": _pk(provider or f.provider()), "modality": "video"}


def _inline_costs_twice(client: Client) -> Post:
    meter, provider = f.meter(), f.provider()
    cost = {
        "meter": _pk(meter),
        "supplier": _pk(provider),
        "price": "1",
        "per_units": "1",
        "currency": _pk(f.usd()),
        "as_of": "2025-01-01",
    }
    return edit(
        client,
        admin_url(AIModel, "add"),
        message_of(ProviderCost, "provider_cost_base_unique_all_variants"),
        _model_add_fields(provider),
        {
            "variants": [{"slug": "default", "name": "Default", "is_default": "on", "sort_order": "0"}],
            "provider_costs": [cost, cost],
        },
    )


def _inline_tiers_twice(client: Client) -> Post:
    model, variant = _model_page_with_variant()
    meter = f.meter()
    tier = {
        "variant": _pk(variant),
        "meter": _pk(meter),
        "price": "2",
        "per_units": "1",
        "tier_threshold": "100",
        "tier_mode": "graduated",
        "supplier": _pk(model.supplier),
        "currency": _pk(f.usd()),
        "as_of": "2025-01-01",
    }
    return edit(
        client,
        change_url(model),
        message_of(ProviderCost, "provider_cost_tier_unique_per_variant"),
        rows={"provider_costs": [tier, tier]},
    )


def _inline_rates_twice(client: Client) -> Post:
    model, variant = _model_page_with_variant()
    rate = {
        "product": _pk(f.default_product()),
        "variant": _pk(variant),
        "meter": _pk(f.meter()),
        "credits": "5",
        "per_units": "1",
        "minimum_charge": "0",
        "active": "on",
    }
    return edit(
        client,
        change_url(model),
        message_of(CreditRate, "credit_rate_unique_per_variant"),
        rows={"credit_rates": [rate, rate]},
    )


def _inline_variant_slug_twice(client: Client) -> Post:
    row = {"slug": "720p", "name": "720p", "sort_order": "0"}
    return edit(
        client,
        admin_url(AIModel, "add"),
        message_of(Variant, "variant_slug_unique_per_model"),
        _model_add_fields(),
        {"variants": [{**row, "is_default": "on"}, row]},
    )


def _inline_two_defaults(client: Client) -> Post:
    rows = [{"slug": slug, "name": slug, "is_default": "on", "sort_order": "0"} for slug in ("720p", "1080p")]
    return edit(
        client,
        admin_url(AIModel, "add"),
        "Mark exactly one variant as the default; 2 are marked.",
        _model_add_fields(),
        {"variants": rows},
    )


def _inline_no_default(client: Client) -> Post:
    model, _variant = _model_page_with_variant()
    post = edit(client, change_url(model), "Mark exactly one variant as the default; none is marked.")
    del post.data["variants-0-is_default"]
    return post


def _rate_clean(client: Client, fields: dict[str, str], message: str, field: str, whole: bool = False) -> Post:
    rate = f.credit_rate(for_default_variant=True, meter=f.meter(name="Images", whole_units=whole))
    return edit(client, change_url(rate), message, fields, field=field)


def _cost_foreign_variant(client: Client) -> Post:
    cost = f.provider_cost(for_default_variant=True)
    foreign = f.variant(is_default=True)
    message = f"Variant '{foreign.slug}' belongs to another model, not to '{cost.model.slug}'."
    return edit(client, change_url(cost), message, {"variant": _pk(foreign)}, field="variant")


def _rate_foreign_variant(client: Client) -> Post:
    rate = f.credit_rate(for_default_variant=True)
    foreign = f.variant(is_default=True)
    message = f"Variant '{foreign.slug}' belongs to another model, not to '{rate.model.slug}'."
    return edit(client, change_url(rate), message, {"variant": _pk(foreign)}, field="variant")


def _step(client: Client, values: dict[str, str], message: str) -> Post:
    workflow = f.workflow()
    model = f.ai_model(default_variant=False)
    step = {
        "position": "1",
        "label": "Report call",
        "model": _pk(model),
        "meter": _pk(f.meter()),
        "quantity": "1",
        "probability": "1",
        "multiplier": "1",
        **values,
    }
    return edit(client, change_url(workflow), message, rows={"steps": [step]})


def _step_breach(constraint: str, values: dict[str, str]) -> Callable[[Client], Post]:
    return lambda client: _step(client, values, message_of(WorkflowStep, constraint))


def _step_foreign_variant(client: Client) -> Post:
    foreign = f.variant(is_default=True)
    model = f.ai_model(default_variant=False)
    message = f"Variant '{foreign.slug}' belongs to another model, not to '{model.slug}'."
    return _step(client, {"model": _pk(model), "variant": _pk(foreign)}, message)


def _threshold(client: Client, fields: dict[str, str], message: str, field: str | None = None) -> Post:
    return edit(client, change_url(f.threshold()), message, fields, field=field)


def _action_switch_without_model(client: Client) -> Post:
    return edit(
        client,
        change_url(f.threshold()),
        message_of(ThresholdAction, "threshold_action_switch_names_model"),
        rows={"actions": [{"position": "1", "action": Action.SWITCH_MODEL}]},
    )


def _action_twice(client: Client) -> Post:
    stored = f.threshold_action(action=Action.EMAIL)
    return edit(
        client,
        change_url(stored.threshold),
        message_of(ThresholdAction, "threshold_action_once"),
        rows={"actions": [{"position": "2", "action": Action.EMAIL}]},
    )


def _actions_twice_on_add_page(client: Client) -> Post:
    fields = {
        "slug": "budget-100",
        "name": "Budget 100%",
        "scope": Scope.SYSTEM,
        "metric": Metric.CREDITS,
        "window": "month",
        "limit": "10",
        "sort_order": "0",
        "active": "on",
    }
    row = {"position": "1", "action": Action.SLACK}
    return edit(
        client,
        admin_url(AlertThreshold, "add"),
        message_of(ThresholdAction, "threshold_action_once"),
        fields,
        {"actions": [row, row]},
    )


BREACHES = [
    broken(Currency, "currency_minor_units_at_most_8", f.currency, minor_units="9"),
    Breach("exchange_rate_two_currencies", _rate_same_currency),
    broken(ExchangeRate, "exchange_rate_amounts_positive", f.exchange_rate, from_amount="0"),
    Breach("exchange_rate_one_per_pair_and_date", _rate_duplicate),
    broken(Product, "product_margin_fraction", f.policy, target_gross_margin="1"),
    broken(
        Product, "product_margin_range_ascends", f.policy, target_gross_margin="0.5", target_gross_margin_high="0.4"
    ),
    broken(Product, "product_one_default", lambda: (f.default_product(), f.product())[1], is_default="on"),
    broken(
        Product,
        "product_fixed_basis_has_figure",
        f.policy,
        revenue_basis=RevenueBasis.LOWEST,
        fixed_revenue_per_credit="0.05",
    ),
    Breach(
        "product_fixed_basis_has_figure: fixed basis, no figure",
        changed(
            Product,
            "product_fixed_basis_has_figure",
            f.policy,
            revenue_basis=RevenueBasis.FIXED,
            fixed_revenue_per_credit="",
        ),
    ),
    broken(AlertThreshold, "alert_threshold_limit_not_negative", f.threshold, limit="-1"),
    Breach(
        "alert_threshold_metric_complete",
        lambda c: _threshold(c, {"metric": Metric.METER, "currency": ""}, "A meter metric needs a meter.", "meter"),
    ),
    Breach(
        "alert_threshold_scope_target",
        lambda c: _threshold(c, {"scope": Scope.PROVIDER}, "Scope 'One provider' needs a provider.", "provider"),
    ),
    Breach(
        "alert_threshold_tier_for_users",
        lambda c: _threshold(c, {"tier": "free"}, message_of(AlertThreshold, "alert_threshold_tier_for_users"), "tier"),
    ),
    Breach(
        "clean: a system threshold names no model",
        lambda c: _threshold(
            c,
            {"model": _pk(f.ai_model(default_variant=False))},
            "Scope 'System (all usage)' takes no model; clear it.",
            "model",
        ),
    ),
    Breach(
        "clean: a money threshold needs a currency",
        lambda c: _threshold(c, {"currency": ""}, "A money metric needs a currency.", "currency"),
    ),
    Breach(
        "clean: only a meter threshold names a meter",
        lambda c: _threshold(
            c,
            {"metric": Metric.CREDITS, "currency": "", "meter": _pk(f.meter())},
            "Only a meter metric takes a meter.",
            "meter",
        ),
    ),
    Breach("threshold_action_switch_names_model", _action_switch_without_model),
    Breach("threshold_action_once", _action_twice),
    Breach("threshold_action_once: two new rows", _actions_twice_on_add_page),
    broken(CreditPack, "credit_pack_credits_positive", f.credit_pack, credits="0"),
    broken(CreditPack, "credit_pack_price_not_negative", f.credit_pack, price="-1"),
    broken(
        SubscriptionPlan, "subscription_plan_credits_positive", lambda: f.plan(overage=True), credits_per_interval="0"
    ),
    broken(SubscriptionPlan, "subscription_plan_price_not_negative", lambda: f.plan(overage=True), price="-0.01"),
    broken(
        SubscriptionPlan,
        "subscription_plan_overage_not_negative",
        lambda: f.plan(overage=True),
        overage_price_per_credit="-0.01",
    ),
    Breach("variant_slug_unique_per_model", _variant_slug_twice),
    Breach("variant_slug_unique_per_model: two new rows", _inline_variant_slug_twice),
    Breach("variant_one_default_per_model", _variant_second_default),
    Breach("inline: two default variants", _inline_two_defaults),
    Breach("inline: no default variant", _inline_no_default),
    broken(
        ProviderCost, "provider_cost_price_not_negative", lambda: f.provider_cost(for_default_variant=True), price="-1"
    ),
    broken(
        ProviderCost,
        "provider_cost_band_ascends",
        lambda: f.provider_cost(for_default_variant=True),
        price="0.6",
        price_high="0.3",
    ),
    broken(
        ProviderCost,
        "provider_cost_per_units_positive",
        lambda: f.provider_cost(for_default_variant=True),
        per_units="0",
    ),
    broken(
        ProviderCost,
        "provider_cost_tier_complete",
        lambda: f.provider_cost(for_default_variant=True),
        tier_threshold="200000",
    ),
    Breach(
        "provider_cost_tier_complete: a mode without a threshold",
        changed(
            ProviderCost,
            "provider_cost_tier_complete",
            lambda: f.provider_cost(for_default_variant=True),
            tier_mode="cliff",
        ),
    ),
    Breach("provider_cost_base_unique_per_variant", _cost_base_twice(with_variant=True)),
    Breach("provider_cost_base_unique_all_variants", _cost_base_twice(with_variant=False)),
    Breach("provider_cost_base_unique_all_variants: two new rows", _inline_costs_twice),
    Breach("provider_cost_tier_unique_per_variant", _cost_tier_twice(with_variant=True)),
    Breach("provider_cost_tier_unique_per_variant: two new rows", _inline_tiers_twice),
    Breach("provider_cost_tier_unique_all_variants", _cost_tier_twice(with_variant=False)),
    Breach("clean: a cost's variant belongs to its model", _cost_foreign_variant),
    broken(CreditRate, "credit_rate_credits_positive", lambda: f.credit_rate(for_default_variant=True), credits="0"),
    broken(
        CreditRate, "credit_rate_per_units_positive", lambda: f.credit_rate(for_default_variant=True), per_units="0"
    ),
    broken(
        CreditRate,
        "credit_rate_min_quantity_positive",
        lambda: f.credit_rate(for_default_variant=True),
        min_quantity="0",
    ),
    broken(
        CreditRate,
        "credit_rate_max_quantity_positive",
        lambda: f.credit_rate(for_default_variant=True),
        max_quantity="0",
    ),
    broken(
        CreditRate,
        "credit_rate_min_not_above_max",
        lambda: f.credit_rate(for_default_variant=True),
        min_quantity="10",
        max_quantity="5",
    ),
    broken(
        CreditRate,
        "credit_rate_default_not_below_min",
        lambda: f.credit_rate(for_default_variant=True),
        min_quantity="5",
        default_quantity="2",
    ),
    broken(
        CreditRate,
        "credit_rate_default_not_above_max",
        lambda: f.credit_rate(for_default_variant=True),
        max_quantity="5",
        default_quantity="8",
    ),
    broken(
        CreditRate,
        "credit_rate_default_quantity_positive",
        lambda: f.credit_rate(for_default_variant=True),
        default_quantity="0",
    ),
    Breach("credit_rate_unique_per_variant", _credit_rate_twice(with_variant=True)),
    Breach("credit_rate_unique_per_variant: two new rows", _inline_rates_twice),
    Breach("credit_rate_unique_all_variants", _credit_rate_twice(with_variant=False)),
    Breach("clean: a rate's variant belongs to its model", _rate_foreign_variant),
    Breach(
        "clean: the default quantity is an allowed one",
        lambda c: _rate_clean(
            c,
            {"allowed_quantities": "4, 8, 12", "default_quantity": "5"},
            "Default quantity 5 is not one of the allowed quantities (4, 8, 12).",
            "default_quantity",
        ),
    ),
    Breach(
        "clean: allowed quantities are numbers",
        lambda c: _rate_clean(
            c,
            {"allowed_quantities": "4, eight"},
            "Allowed quantities: 'eight' is not a number; write quantities like 4, 8, 12.",
            "allowed_quantities",
        ),
    ),
    Breach(
        "clean: whole-unit meters take whole quantities",
        lambda c: _rate_clean(
            c,
            {"default_quantity": "2.5"},
            "Images are counted in whole units; 2.5 is not whole.",
            "default_quantity",
            whole=True,
        ),
    ),
    broken(Workflow, "workflow_credits_positive", f.workflow, credits_per_unit="0"),
    Breach("workflow_step_quantity_positive", _step_breach("workflow_step_quantity_positive", {"quantity": "0"})),
    Breach(
        "workflow_step_probability_0_to_1", _step_breach("workflow_step_probability_0_to_1", {"probability": "1.5"})
    ),
    Breach(
        "workflow_step_multiplier_at_least_1",
        _step_breach("workflow_step_multiplier_at_least_1", {"multiplier": "0.5"}),
    ),
    Breach("clean: a step's variant belongs to its model", _step_foreign_variant),
]


def snapshot() -> dict[str, list[dict]]:
    """Every configuration row and every history record, as stored."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for app in CONFIG_APPS
        for model in apps.get_app_config(app).get_models()
    }


@pytest.mark.parametrize("breach", BREACHES, ids=lambda breach: breach.rule)
def test_breach_is_shown_on_the_page_and_nothing_is_written(admin_client: Client, breach: Breach) -> None:
    """A broken rule must reach the person who broke it as a message on the form, not as a server error."""
    post = breach.prepare(admin_client)
    before = snapshot()
    response = admin_client.post(post.url, post.data)
    assert response.status_code == 200
    assert post.message in shown_errors(response)
    assert escape(post.message) in response.content.decode()
    if post.field:
        assert post.message in response.context["adminform"].form.errors[post.field]
    assert snapshot() == before


def test_every_constraint_has_a_breach_case() -> None:
    """A constraint added later without a case here would go untested."""
    constraints = {constraint.name for model in f.configuration_models() for constraint in model._meta.constraints}
    covered = {breach.rule for breach in BREACHES}
    assert constraints - covered == set()
