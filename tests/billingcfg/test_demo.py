"""The demo configuration: what an ops person finds after `make run`."""

from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Count, Q

from billingcfg.demo.load import demo_load
from billingcfg.models import AlertThreshold, ExchangeRate, PricingPolicy
from plans.models import CreditPack, SubscriptionPlan
from rates.models import AIModel, CreditRate, ProviderCost, Workflow

CONFIG_APPS = ("billingcfg", "plans", "rates")


def _row_counts() -> dict[str, int]:
    """Rows per draft table and per history table (releases are published, not loaded)."""
    from billingcfg.release_models import ApiKey, Release, ReleaseWithdrawal

    return {
        model._meta.label: model.objects.count()
        for app in CONFIG_APPS
        for model in apps.get_app_config(app).get_models()
        if model not in (Release, ReleaseWithdrawal, ApiKey)
    }


def test_loading_twice_changes_nothing(demo):
    before = _row_counts()

    second = demo_load()

    assert not second.changed, (second.created, second.updated)
    assert _row_counts() == before
    assert sum(second.unchanged.values()) == sum(demo.created.values())


def test_every_configuration_table_is_filled(demo):
    empty = [
        label
        for label, count in _row_counts().items()
        if count == 0 and not label.split(".")[1].startswith("Historical")
    ]
    assert empty == []


def test_a_second_load_records_no_history(demo):
    history_before = {label: count for label, count in _row_counts().items() if ".Historical" in label}

    demo_load()

    assert {label: count for label, count in _row_counts().items() if ".Historical" in label} == history_before


def test_load_demo_restores_an_edited_demo_figure(demo):
    CreditPack.objects.filter(slug="starter").update(price=Decimal("99"))

    result = demo_load()

    assert result.updated["credit packs"] == 1
    assert CreditPack.objects.get(slug="starter").price == Decimal("15")


def test_if_empty_leaves_an_existing_configuration_alone(demo):
    CreditPack.objects.filter(slug="starter").update(price=Decimal("99"))
    out = StringIO()

    call_command("load_demo", "--if-empty", stdout=out)

    assert "not loaded" in out.getvalue()
    assert CreditPack.objects.get(slug="starter").price == Decimal("99")


@pytest.mark.django_db
def test_if_empty_loads_an_empty_configuration():
    out = StringIO()

    call_command("load_demo", "--if-empty", stdout=out)

    assert "Demo data loaded." in out.getvalue()
    assert CreditPack.objects.count() == 4


def test_every_model_has_exactly_one_default_variant(demo):
    counts = AIModel.objects.annotate(defaults=Count("variants", filter=Q(variants__is_default=True)))
    assert {m.slug: m.defaults for m in counts if m.defaults != 1} == {}


# Seed 003: the video product.


@pytest.mark.parametrize(
    ("model", "slug", "credits", "price", "price_per_credit"),
    [
        (CreditPack, "starter", 250, "15", "0.06"),
        (CreditPack, "booster", 500, "28", "0.056"),
        (CreditPack, "pro", 1000, "52", "0.052"),
        (CreditPack, "studio", 2500, "120", "0.048"),
        (SubscriptionPlan, "explorer", 400, "19", "0.0475"),
        (SubscriptionPlan, "agency", 5000, "179", "0.0358"),
    ],
)
def test_seed_003_offers(demo, model, slug, credits, price, price_per_credit):
    offer = model.objects.get(slug=slug)
    granted = offer.credits if model is CreditPack else offer.credits_per_interval
    assert granted == credits
    assert offer.price == Decimal(price)
    assert offer.currency.code == "USD"
    assert offer.price_per_credit == Decimal(price_per_credit)


def test_seed_003_creator_plan_costs_0_0393_a_credit(demo):
    creator = SubscriptionPlan.objects.get(slug="creator")
    assert round(creator.price_per_credit, 4) == Decimal("0.0393")


@pytest.mark.parametrize(
    ("model", "variant", "price", "per_units"),
    [
        ("sora-2", "720p", "0.10", 1),
        ("sora-2-pro", "720p", "0.30", 1),
        ("sora-2-pro", "1080p", "0.50", 1),
        ("veo-3", "audio", "0.75", 1),
        ("veo-3", "no-audio", "0.50", 1),
        ("kling-v2-1", "pro", "0.49", 5),
        ("minimax-hailuo-02", "1080p", "0.48", 6),
        ("wan-2-1", "720p", "0.25", 1),
    ],
)
def test_seed_003_provider_costs_per_second(demo, model, variant, price, per_units):
    cost = ProviderCost.objects.get(model__slug=model, variant__slug=variant, meter__slug="seconds")
    assert (cost.price, cost.per_units, cost.currency.code) == (Decimal(price), per_units, "USD")


@pytest.mark.parametrize(
    ("model", "credits", "allowed", "default"),
    [
        ("sora-2", "10", "4, 8, 12", "8"),
        ("sora-2-pro", "35", "4, 8, 10, 12, 15, 25", "8"),
        ("veo-3", "60", "4, 6, 8", "8"),
        ("luma-ray-3", "15", "", "8"),
        ("kling-v2-1", "8", "", "8"),
        ("minimax-hailuo-02", "5", "", "8"),
        ("mochi-1", "10", "", "8"),
    ],
)
def test_seed_003_credit_rates_per_second(demo, model, credits, allowed, default):
    rate = CreditRate.objects.get(model__slug=model, variant__isnull=True, meter__slug="seconds")
    assert rate.credits == Decimal(credits)
    assert rate.allowed_quantities == allowed
    assert rate.default_quantity == Decimal(default)


def test_seed_003_wan_draft_and_pro_are_variant_rates(demo):
    rates = {
        r.variant.slug: r.credits for r in CreditRate.objects.filter(model__slug="wan-2-1").select_related("variant")
    }
    assert rates == {"480p": Decimal("2"), "720p": Decimal("5")}


def test_seed_003_mochi_cost_is_a_price_band(demo):
    cost = ProviderCost.objects.get(model__slug="mochi-1")
    assert (cost.price, cost.price_high) == (Decimal("0.05"), Decimal("0.20"))


def test_policy_judges_margins_at_seed_003s_five_cents(demo):
    policy = PricingPolicy.objects.get()
    assert policy.reporting_currency.code == "USD"
    assert (policy.revenue_basis, policy.fixed_revenue_per_credit) == ("fixed", Decimal("0.05"))


# Seed 002: the coaching product.


def test_seed_002_usd_to_twd(demo):
    rate = ExchangeRate.objects.get(from_currency__code="USD", to_currency__code="TWD")
    assert rate.rate == Decimal("32")


def test_seed_002_coaching_hour_workflow(demo):
    workflow = Workflow.objects.get(slug="coaching-session-hour")
    steps = [
        (s.model.slug, s.meter.slug, s.quantity, s.multiplier) for s in workflow.steps.select_related("model", "meter")
    ]
    assert workflow.credits_per_unit == Decimal("60")
    # Seed 002 prices the hour at the standard $0.40, not the enterprise $0.22.
    assert workflow.steps.get(position=1).variant.slug == "standard"
    assert steps == [
        ("scribe-v2-realtime", "hours", Decimal("1"), Decimal("1")),
        ("gemini-flash-lite-latest", "input_tokens", Decimal("750"), Decimal("1200")),
        ("gemini-flash-lite-latest", "output_tokens", Decimal("20"), Decimal("1200")),
        ("gemini-3-flash-preview", "input_tokens", Decimal("55500"), Decimal("1")),
        ("gemini-3-flash-preview", "output_tokens", Decimal("2100"), Decimal("1")),
        ("text-embedding-3-small", "input_tokens", Decimal("50000"), Decimal("1")),
        ("cloud-run", "hours", Decimal("1"), Decimal("1")),
        ("supabase-db", "hours", Decimal("1"), Decimal("1")),
        ("network-egress", "hours", Decimal("1"), Decimal("1")),
    ]


@pytest.mark.parametrize(
    ("slug", "price", "credits", "overage"),
    [("coach-basic", "100", 180, "0.8"), ("coach-standard", "300", 600, "0.6"), ("coach-pro", "500", 1200, "0.5")],
)
def test_seed_002_plans(demo, slug, price, credits, overage):
    plan = SubscriptionPlan.objects.get(slug=slug)
    assert (plan.price, plan.currency.code, plan.credits_per_interval) == (Decimal(price), "TWD", credits)
    assert plan.overage_price_per_credit == Decimal(overage)
    assert plan.usage_workflow.slug == "coaching-session-hour"


def test_seed_002_budget_levels(demo):
    levels = {
        t.slug: (t.limit, [a.action for a in t.actions.all()])
        for t in AlertThreshold.objects.filter(slug__startswith="budget-").prefetch_related("actions")
    }
    assert levels == {
        "budget-50": (Decimal("2500"), ["email"]),
        "budget-75": (Decimal("3750"), ["slack", "review"]),
        "budget-100": (Decimal("5000"), ["throttle"]),
    }


def test_seed_002_anomaly_rules(demo):
    hours_a_day = AlertThreshold.objects.get(slug="anomaly-user-hours-day")
    elevenlabs = AlertThreshold.objects.get(slug="anomaly-elevenlabs-spend-day")
    assert (hours_a_day.scope, hours_a_day.meter.slug, hours_a_day.window, hours_a_day.limit) == (
        "user",
        "hours",
        "day",
        Decimal("3"),
    )
    assert (elevenlabs.provider.slug, elevenlabs.currency.code, elevenlabs.limit) == (
        "elevenlabs",
        "USD",
        Decimal("100"),
    )


# Seed 000: prompt production through the CNY points gateway.


def test_seed_000_99_yuan_buys_1_600_000_points(demo):
    rate = ExchangeRate.objects.get(from_currency__code="CNY", to_currency__code="PTS")
    assert (rate.from_amount, rate.to_amount) == (Decimal("99"), Decimal("1600000"))
    assert rate.to_currency.is_internal
    assert round(rate.rate, 2) == Decimal("16161.62")


@pytest.mark.parametrize(
    ("model", "meter", "low", "high"),
    [
        ("gemini-2-5-flash", "input_tokens", "0.3", "0.6"),
        ("gemini-2-5-flash", "output_tokens", "0.6", "1.2"),
        ("gemini-3-flash", "output_tokens", "1.5", "3"),
        ("gemini-3-pro", "output_tokens", "6", "12"),
    ],
)
def test_seed_000_cny_price_bands_per_million(demo, model, meter, low, high):
    cost = ProviderCost.objects.get(model__slug=model, meter__slug=meter)
    assert (cost.price, cost.price_high, cost.per_units, cost.currency.code) == (
        Decimal(low),
        Decimal(high),
        1_000_000,
        "CNY",
    )


def test_seed_000_prompt_workflow_probabilities(demo):
    steps = Workflow.objects.get(slug="prompt-production").steps.select_related("model")
    assert {(s.model.slug, s.probability) for s in steps} == {
        ("gemini-2-5-flash", Decimal("1")),
        ("gemini-3-flash", Decimal("0.2")),
        ("gemini-3-pro", Decimal("0.03")),
    }


# Seed 001: PRD, UX and deploy generation.


@pytest.mark.parametrize(
    ("model", "input_price", "output_price"),
    [
        ("claude-3-5-sonnet", "3.00", "15.00"),
        ("claude-3-haiku", "0.25", "1.25"),
        ("gpt-4-turbo", "10.00", "30.00"),
        ("gpt-3-5-turbo", "0.50", "1.50"),
    ],
)
def test_seed_001_token_prices(demo, model, input_price, output_price):
    prices = dict(ProviderCost.objects.filter(model__slug=model).values_list("meter__slug", "price"))
    assert prices == {"input_tokens": Decimal(input_price), "output_tokens": Decimal(output_price)}


@pytest.mark.parametrize(("slug", "factor"), [("prd", "1.5"), ("ux", "1.3"), ("deploy", "1.1")])
def test_seed_001_revision_factors(demo, slug, factor):
    multipliers = set(Workflow.objects.get(slug=slug).steps.values_list("multiplier", flat=True))
    assert multipliers == {Decimal(factor)}


def test_seed_001_project_flow_is_prd_ux_and_deploy(demo):
    assert Workflow.objects.get(slug="project").steps.count() == 6


@pytest.mark.parametrize(
    ("slug", "tier", "meter", "window", "limit"),
    [
        ("free-requests-hour", "free", "requests", "hour", "10"),
        ("free-tokens-day", "free", "tokens", "day", "50000"),
        ("paid-requests-hour", "paid", "requests", "hour", "100"),
        ("paid-tokens-day", "paid", "tokens", "day", "500000"),
        ("breaker-user-requests-day", "", "requests", "day", "100"),
        ("breaker-user-tokens-day", "", "tokens", "day", "100000"),
    ],
)
def test_seed_001_rate_limits_and_breakers(demo, slug, tier, meter, window, limit):
    threshold = AlertThreshold.objects.get(slug=slug)
    assert (threshold.scope, threshold.tier, threshold.meter.slug, threshold.window, threshold.limit) == (
        "user",
        tier,
        meter,
        window,
        Decimal(limit),
    )


def test_seed_001_fallback_switches_sonnet_to_haiku(demo):
    action = AlertThreshold.objects.get(slug="sonnet-high-volume").actions.get()
    assert (action.action, action.switch_to_model.slug) == ("switch_model", "claude-3-haiku")


def test_seed_001_system_circuit_breaker(demo):
    breaker = AlertThreshold.objects.get(slug="breaker-system-spend-day")
    assert (breaker.scope, breaker.currency.code, breaker.limit) == ("system", "USD", Decimal("1000"))
    assert [a.action for a in breaker.actions.all()] == ["serve_cached", "pause"]
