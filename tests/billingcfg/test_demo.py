"""The demo configuration: what an ops person finds after `make run`: four products, one per seed."""

from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Count, Q

from billingcfg.demo.load import demo_load
from billingcfg.models import AlertThreshold, ExchangeRate, Product
from billingcfg.releases.document import draft_configuration, product_document
from plans.models import CreditPack, SubscriptionPlan
from rates.models import AIModel, CreditRate, PriceListSupplier, Provider, ProviderCost, Workflow

CONFIG_APPS = ("billingcfg", "plans", "rates")


def _row_counts() -> dict[str, int]:
    """Rows per draft table and per history table (releases are published, not loaded)."""
    from billingcfg.release_models import ApiKey, Release, ReleaseProduct, ReleaseWithdrawal

    return {
        model._meta.label: model.objects.count()
        for app in CONFIG_APPS
        for model in apps.get_app_config(app).get_models()
        if model not in (Release, ReleaseProduct, ReleaseWithdrawal, ApiKey)
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


# The four products.


def test_four_products_each_with_its_credit_currency_and_target(demo):
    products = {
        p.slug: (p.name, p.credit_name, p.reporting_currency.code, p.target_gross_margin, p.target_gross_margin_high)
        for p in Product.objects.select_related("reporting_currency")
    }

    assert products == {
        "video": ("Video credits", "credits", "USD", Decimal("0.75"), None),
        "coaching": ("Coaching minutes", "minutes", "TWD", Decimal("0.40"), Decimal("0.50")),
        "sora-prompts": ("Sora-2Ai prompts", "points", "PTS", Decimal("0.75"), None),
        "dev-flows": ("Developer flows", "credits", "USD", Decimal("0.75"), None),
    }
    assert list(Product.objects.filter(is_default=True).values_list("slug", flat=True)) == ["video"]


def test_nothing_is_loaded_inactive(demo):
    """No stand-ins: every row the demo loads is in use."""
    inactive = {
        model._meta.label: model.objects.filter(active=False).count()
        for model in (AIModel, CreditPack, CreditRate, Provider, SubscriptionPlan, Workflow, AlertThreshold)
    }
    assert set(inactive.values()) == {0}


def test_only_the_exchange_rates_the_seeds_give(demo):
    """USD → TWD (seed 002) and ¥99 → 1,600,000 points (seed 000): no USD → CNY is invented."""
    pairs = set(ExchangeRate.objects.values_list("from_currency__code", "to_currency__code"))
    assert pairs == {("USD", "TWD"), ("CNY", "PTS")}


@pytest.mark.parametrize(
    ("product", "packs", "plans", "rates", "workflows", "thresholds"),
    [
        ("video", 4, 3, 9, 0, 0),
        ("coaching", 0, 3, 0, 2, 11),
        ("sora-prompts", 0, 0, 0, 4, 0),
        ("dev-flows", 0, 0, 0, 7, 12),
    ],
)
def test_each_products_own_rows(demo, product, packs, plans, rates, workflows, thresholds):
    counts = [
        model.objects.filter(product__slug=product).count()
        for model in (CreditPack, SubscriptionPlan, CreditRate, Workflow, AlertThreshold)
    ]
    assert counts == [packs, plans, rates, workflows, thresholds]


def test_price_list_supplier_names(demo):
    names = dict(PriceListSupplier.objects.values_list("pattern", "supplier__slug"))
    assert names == {
        "gemini": "google",
        "vertex_ai-*": "google",
        "openai": "openai",
        "anthropic": "anthropic",
        "elevenlabs": "elevenlabs",
    }
    assert PriceListSupplier.objects.get(pattern="vertex_ai-*").matches("vertex_ai-language-models")


@pytest.fixture
def documents(demo):
    """Each product's document of the demo draft, as its backend reads it."""
    configuration = draft_configuration()
    return {slug: product_document(configuration, slug) for slug in ("video", "coaching", "sora-prompts", "dev-flows")}


def _workflow(document, slug):
    (found,) = [workflow for workflow in document["workflows"] if workflow["slug"] == slug]
    return found


def test_video_document_keeps_seed_003s_figures(documents):
    video = documents["video"]

    assert video["revenue_per_credit"] == {
        "currency": "USD",
        "lowest": "0.0358",
        "mean": "0.04837619047619047619047619047",
        "highest": "0.06",
        "basis": "0.05",
        "basis_name": "fixed",
    }
    assert [pack["slug"] for pack in video["credit_packs"]] == ["starter", "booster", "pro", "studio"]
    assert [plan["slug"] for plan in video["subscription_plans"]] == ["explorer", "creator", "agency"]
    (veo,) = [model for model in video["models"] if model["slug"] == "veo-3"]
    (audio,) = [variant for variant in veo["variants"] if variant["slug"] == "audio"]
    assert audio["default_usage"]["credits"] == 480
    assert audio["default_usage"]["cost"]["reporting"] == {"low": "6", "high": "6", "currency": "USD"}


def test_coaching_document_judges_the_hour_at_its_own_minute(documents):
    """The 100 TWD plan's minute (100 / 180 TWD): the hour earns 33.33 TWD (≈ $1.04 at 32 TWD to the
    dollar) for 18.7728 TWD of cost, 43.7 % within the 40–50 % target."""
    coaching = documents["coaching"]
    hour = _workflow(coaching, "coaching-session-hour")
    margin = Decimal(hour["margin"]["basis"]["gross_margin"]["worst"])

    assert coaching["product"]["reporting_currency"] == "TWD"
    assert [plan["slug"] for plan in coaching["subscription_plans"]] == ["coach-basic", "coach-standard", "coach-pro"]
    assert all(plan["active"] for plan in coaching["subscription_plans"])
    assert hour["cost"] == {"low": "18.7728", "high": "18.7728", "currency": "TWD"}
    assert round(Decimal(hour["revenue"]["basis"]), 2) == Decimal("33.33")
    assert round(Decimal(hour["revenue"]["basis"]) / 32, 2) == Decimal("1.04")
    assert round(margin, 3) == Decimal("0.437")
    assert hour["flags"] == []


def test_sora_prompts_document_costs_in_points(documents):
    """12.4 / 31.5 / 189 points a call and ~24.3 a prompt: the middle of each band, on the gateway's prices."""
    sora = documents["sora-prompts"]
    middle = {}
    for slug in ("prompt-call-2-5-flash", "prompt-call-3-flash", "prompt-call-3-pro", "prompt-production"):
        cost = _workflow(sora, slug)["cost"]
        assert cost["currency"] == "PTS"
        middle[slug] = (Decimal(cost["low"]) + Decimal(cost["high"])) / 2

    assert sora["product"]["reporting_currency"] == "PTS"
    assert round(middle["prompt-call-2-5-flash"], 1) == Decimal("12.4")
    assert round(middle["prompt-call-3-flash"], 1) == Decimal("31.5")
    assert round(middle["prompt-call-3-pro"]) == Decimal("189")
    assert round(middle["prompt-production"], 1) == Decimal("24.3")
    assert {cost["supplier"] for model in sora["models"] for cost in model["provider_costs"]} == {"gateway"}


def test_dev_flows_document_is_cost_only(documents):
    flows = documents["dev-flows"]

    assert (flows["credit_packs"], flows["subscription_plans"]) == ([], [])
    assert {workflow["slug"]: workflow["cost"]["low"] for workflow in flows["workflows"]} == {
        "prd": "0.0945",
        "ux": "0.11505",
        "deploy": "0.025905",
        "project": "0.235455",
        "project-claude-3-haiku": "0.01962125",
        "project-gpt-4-turbo": "0.50185",
        "project-gpt-3-5-turbo": "0.0250925",
    }
    assert {model["slug"] for model in flows["models"]} == {
        "claude-3-5-sonnet",
        "claude-3-haiku",
        "gpt-4-turbo",
        "gpt-3-5-turbo",
    }
    assert len(flows["alert_thresholds"]) == 12


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


def test_video_judges_margins_at_seed_003s_five_cents(demo):
    video = Product.objects.get(slug="video")
    assert video.reporting_currency.code == "USD"
    assert (video.revenue_basis, video.fixed_revenue_per_credit) == ("fixed", Decimal("0.05"))


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
    assert (plan.product.slug, plan.active) == ("coaching", True)
    assert (plan.price, plan.currency.code, plan.credits_per_interval) == (Decimal(price), "TWD", credits)
    assert plan.overage_price_per_credit == Decimal(overage)
    assert plan.usage_workflow.slug == "coaching-session-hour"


def test_seed_002_enterprise_speech_to_text_is_a_negotiated_cost(demo):
    costs = {
        cost.variant.slug: (cost.price, cost.negotiated)
        for cost in ProviderCost.objects.filter(model__slug="scribe-v2-realtime").select_related("variant")
    }
    assert costs == {"standard": (Decimal("0.40"), False), "enterprise": (Decimal("0.22"), True)}


def test_seed_002_gemini_2_5_flash_from_google_and_from_the_gateway(demo):
    """One model, two suppliers: Google's $0.30 / $2.50 (seed 002) and the gateway's ¥ bands (seed 000)."""
    costs = {
        (cost.supplier.slug, cost.meter.slug): (cost.price, cost.price_high, cost.currency.code)
        for cost in ProviderCost.objects.filter(model__slug="gemini-2-5-flash").select_related(
            "supplier", "meter", "currency"
        )
    }
    assert costs == {
        ("google", "input_tokens"): (Decimal("0.30"), None, "USD"),
        ("google", "output_tokens"): (Decimal("2.50"), None, "USD"),
        ("gateway", "input_tokens"): (Decimal("0.3"), Decimal("0.6"), "CNY"),
        ("gateway", "output_tokens"): (Decimal("0.6"), Decimal("1.2"), "CNY"),
    }
    assert AIModel.objects.get(slug="gemini-2-5-flash").supplier.slug == "google"


def test_seed_002_optimised_hour_reports_on_gemini_2_5_flash(demo):
    steps = Workflow.objects.get(slug="coaching-session-hour-optimised").steps.select_related("model", "variant")
    assert {(s.model.slug, s.variant.slug if s.variant else None) for s in steps if s.position in (1, 4, 5)} == {
        ("scribe-v2-realtime", "enterprise"),
        ("gemini-2-5-flash", None),
    }


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
    cost = ProviderCost.objects.get(model__slug=model, meter__slug=meter, supplier__slug="gateway")
    assert (cost.price, cost.price_high, cost.per_units, cost.currency.code) == (
        Decimal(low),
        Decimal(high),
        1_000_000,
        "CNY",
    )


def test_seed_000_prompt_workflow_probabilities(demo):
    steps = Workflow.objects.get(slug="prompt-production").steps.select_related("model", "supplier")
    assert {(s.model.slug, s.probability, s.supplier.slug) for s in steps} == {
        ("gemini-2-5-flash", Decimal("1"), "gateway"),
        ("gemini-3-flash", Decimal("0.2"), "gateway"),
        ("gemini-3-pro", Decimal("0.03"), "gateway"),
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
