"""Products and suppliers in the pure engine: a whole catalogue narrowed to one product
(its offers, plans, workflows, thresholds, the models it sells or uses with only its own
rates and the costs of the suppliers it buys from), margins judged against a target range,
costs read per supplier, and validation of every product at once. On the four-product demo
(one product per seed) and on small catalogues, without a database."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from pricing.catalogue import Catalogue, Cost, Model, Offer, Product, Rate, Step, Threshold, Variant, Workflow
from pricing.costing import usage_cost
from pricing.errors import MissingCost
from pricing.fx import Converter
from pricing.quote import quote_workflow
from pricing.report import ABOVE_TARGET, BELOW_TARGET, MISSING_COST, NO_RATE, margin_report
from pricing.revenue import revenue_per_credit
from pricing.validation import NO_PRODUCT, STALE_COST, target_text, validate_catalogue, validate_products
from tests.demo_catalogue import demo_catalogue, demo_product

D = Decimal
PRODUCTS = ("video", "coaching", "sora-prompts", "dev-flows")
# Seed 003's three subscriptions; seed 002's three plans of minutes (方案 C); seeds 000 and 001 sell nothing.
PLANS = {
    "video": ["explorer", "creator", "agency"],
    "coaching": ["coach-basic", "coach-standard", "coach-pro"],
    "sora-prompts": [],
    "dev-flows": [],
}


# ---- for_product on the demo: one product per seed ------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "offers", "workflows", "models"),
    [
        # Seed 003: four packs and three plans; every video model it prices per second.
        (
            "video",
            ["starter", "booster", "pro", "studio", "explorer", "creator", "agency"],
            [],
            {"sora-2", "sora-2-pro", "luma-ray-3", "kling-v2-1", "veo-3", "minimax-hailuo-02", "wan-2-1", "mochi-1"},
        ),
        # Seed 002: three plans of minutes; the coaching hour's steps and its optimised variant's report model.
        (
            "coaching",
            ["coach-basic", "coach-standard", "coach-pro"],
            ["coaching-session-hour", "coaching-session-hour-optimised"],
            {
                "scribe-v2-realtime",
                "gemini-flash-lite-latest",
                "gemini-3-flash-preview",
                "text-embedding-3-small",
                "cloud-run",
                "supabase-db",
                "network-egress",
                "gemini-2-5-flash",
            },
        ),
        # Seed 000: sells nothing; one prompt and each step's call, on three Gemini models.
        (
            "sora-prompts",
            [],
            ["prompt-production", "prompt-call-2-5-flash", "prompt-call-3-flash", "prompt-call-3-pro"],
            {"gemini-2-5-flash", "gemini-3-flash", "gemini-3-pro"},
        ),
        # Seed 001: sells nothing; PRD, UX, deploy and the whole flow on four models.
        (
            "dev-flows",
            [],
            [
                "prd",
                "ux",
                "deploy",
                "project",
                "project-claude-3-haiku",
                "project-gpt-4-turbo",
                "project-gpt-3-5-turbo",
            ],
            {"claude-3-5-sonnet", "claude-3-haiku", "gpt-4-turbo", "gpt-3-5-turbo"},
        ),
    ],
)
def test_a_product_reads_its_own_offers_workflows_and_models(slug, offers, workflows, models):
    catalogue = demo_product(slug)

    assert catalogue.product.slug == slug
    assert [offer.slug for offer in catalogue.offers] == offers
    assert [plan.slug for plan in catalogue.plans] == [offer.slug for offer in catalogue.offers if offer.kind == "plan"]
    assert [plan.slug for plan in catalogue.plans] == PLANS[slug]
    assert all(plan.product == slug for plan in catalogue.plans)
    assert list(catalogue.workflows) == workflows
    assert set(catalogue.models) == models
    assert all(rate.product == slug for model in catalogue.models.values() for rate in model.rates)
    assert all(threshold.product == slug for threshold in catalogue.thresholds)
    # The shared tables stay whole.
    assert catalogue.meters == demo_catalogue().meters
    assert catalogue.fx_rates == demo_catalogue().fx_rates
    assert catalogue.products == demo_catalogue().products


@pytest.mark.parametrize("table", ["offers", "plans", "thresholds"])
def test_the_products_share_out_every_offer_plan_and_threshold(table):
    whole = getattr(demo_catalogue(), table)
    shared_out = [row for slug in PRODUCTS for row in getattr(demo_product(slug), table)]

    assert sorted(shared_out, key=lambda row: row.slug) == sorted(whole, key=lambda row: row.slug)


def test_the_products_share_out_every_workflow_and_credit_rate():
    whole = demo_catalogue()

    assert sorted(slug for product in PRODUCTS for slug in demo_product(product).workflows) == sorted(whole.workflows)
    rates = sorted(
        (key, rate.meter, rate.variant or "")
        for product in PRODUCTS
        for key, model in demo_product(product).models.items()
        for rate in model.rates
    )
    assert rates == sorted(
        (key, rate.meter, rate.variant or "") for key, model in whole.models.items() for rate in model.rates
    )


@pytest.mark.parametrize(
    ("slug", "supplier", "prices"),
    [
        # Seed 002 buys Gemini 2.5 Flash from Google: $0.30 / $2.50 per 1M.
        ("coaching", "google", [("input_tokens", "0.30", None, "USD"), ("output_tokens", "2.50", None, "USD")]),
        # Seed 000 buys it from the gateway: ¥0.3–0.6 / ¥0.6–1.2 per 1M.
        ("sora-prompts", "gateway", [("input_tokens", "0.3", "0.6", "CNY"), ("output_tokens", "0.6", "1.2", "CNY")]),
    ],
)
def test_one_model_bought_from_two_suppliers_keeps_only_the_products_supplier(slug, supplier, prices):
    model = demo_product(slug).models["gemini-2-5-flash"]

    assert {model.cost_supplier(cost) for cost in model.costs} == {supplier}
    assert [(cost.meter, cost.price, cost.price_high, cost.currency) for cost in model.costs] == [
        (meter, D(low), D(high) if high else None, currency) for meter, low, high, currency in prices
    ]
    assert len(demo_catalogue().models["gemini-2-5-flash"].costs) == 4


def test_an_unknown_product_names_the_products():
    with pytest.raises(KeyError) as raised:
        demo_catalogue().for_product("nope")

    assert raised.value.args[0] == "no product 'nope'; products are: video, coaching, sora-prompts, dev-flows"


# ---- product_usage --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "model", "suppliers"),
    [
        ("video", "sora-2", {"openai"}),  # a credit rate of its own, on the model's provider
        ("coaching", "scribe-v2-realtime", {"elevenlabs"}),  # a workflow step
        ("coaching", "gemini-2-5-flash", {"google"}),  # the optimised hour's report, from the model's provider
        ("sora-prompts", "gemini-2-5-flash", {"gateway"}),  # Step A, on the gateway
        ("sora-prompts", "gemini-3-pro", {"gateway"}),  # its primary supplier is the gateway
        ("dev-flows", "claude-3-haiku", {"anthropic"}),  # a step, and a threshold's switch-to model
    ],
)
def test_product_usage_names_the_models_and_the_suppliers_they_are_costed_on(slug, model, suppliers):
    assert demo_catalogue().product_usage(slug)[model] == frozenset(suppliers)


@pytest.mark.parametrize(
    ("slug", "not_used"),
    [
        ("video", "gemini-2-5-flash"),
        ("coaching", "sora-2"),
        ("sora-prompts", "claude-3-5-sonnet"),
        ("dev-flows", "veo-3"),
        ("video", "luma-ray-flash-2"),  # costed, but sold and used by no product
    ],
)
def test_a_model_a_product_neither_sells_nor_uses_is_not_its(slug, not_used):
    assert not_used not in demo_catalogue().product_usage(slug)
    assert not_used not in demo_product(slug).models


# ---- Small catalogues: two products on one model bought from two suppliers -------------------------

DEFAULT = (Variant("default", "Default", is_default=True),)
A = Product("USD", D("0.75"), "fixed", D("0.05"), slug="a", name="A", is_default=True)
B = Product("USD", D("0.75"), "lowest", slug="b", name="B")


def _two_products(*, rates=None, costs=None, thresholds=(), products=(A, B)) -> Catalogue:
    """Model m from p ($0.10 a second) and from q ($0.08); product a sells it at 10 credits a
    second from p; product b costs a clip of 8 seconds on it from q and sells nothing."""
    model = Model(
        slug="m",
        name="M",
        provider="p",
        modality="video",
        variants=DEFAULT,
        costs=costs
        if costs is not None
        else (
            Cost("seconds", D("0.10"), "USD", as_of=date(2026, 1, 1)),
            Cost("seconds", D("0.08"), "USD", supplier="q", as_of=date(2026, 1, 1)),
        ),
        rates=rates if rates is not None else (Rate("seconds", D("10"), product="a"),),
    )
    spare = Model(slug="spare", name="Spare", provider="p", modality="video", variants=DEFAULT)
    return Catalogue(
        product=products[0] if products else A,
        products={product.slug: product for product in products},
        offers=(Offer("pack", "pack", "Pack", D("40"), "USD", 1000, product="a"),),
        meters=demo_catalogue().meters,
        models={"m": model, "spare": spare},
        workflows={
            "clip": Workflow(
                "clip", "Clip", "clip", (Step("render", "m", "seconds", D("8"), supplier="q"),), product="b"
            )
        },
        thresholds=thresholds,
    )


def test_each_product_reads_the_costs_of_its_own_supplier():
    whole = _two_products()

    a, b = whole.for_product("a"), whole.for_product("b")

    assert [(cost.price, a.models["m"].cost_supplier(cost)) for cost in a.models["m"].costs] == [(D("0.10"), "p")]
    assert [(cost.price, b.models["m"].cost_supplier(cost)) for cost in b.models["m"].costs] == [(D("0.08"), "q")]
    assert [rate.product for rate in a.models["m"].rates] == ["a"]
    assert b.models["m"].rates == ()
    assert (list(a.workflows), list(b.workflows)) == ([], ["clip"])
    assert ([offer.slug for offer in a.offers], b.offers) == (["pack"], ())
    assert "spare" not in a.models and "spare" not in b.models
    assert whole.product_usage("a") == {"m": frozenset({"p"})}
    assert whole.product_usage("b") == {"m": frozenset({"q"})}


def test_a_threshold_s_model_and_fallback_are_the_product_s():
    threshold = Threshold(
        "cap",
        "Cap",
        "model",
        "money",
        "day",
        D("10"),
        actions=(("switch_model", "spare"),),
        model="m",
        product="b",
    )

    whole = _two_products(thresholds=(threshold,))

    assert set(whole.product_usage("b")) == {"m", "spare"}
    assert set(whole.for_product("b").models) == {"m", "spare"}
    assert whole.for_product("b").thresholds == (threshold,)
    assert whole.for_product("a").thresholds == ()


def test_a_rate_costed_on_a_named_supplier_uses_that_supplier_s_costs():
    """10 credits × $0.05 = $0.50 a second: from p ($0.10) 80 %, from q ($0.08) 84 %."""
    whole = _two_products(rates=(Rate("seconds", D("10"), product="a", supplier="q"),))

    (row,) = margin_report(whole.for_product("a")).models["m"].rows

    assert row.supplier == "q"
    assert row.cost.low == D("0.08")
    assert row.at_basis.worst.gross_margin == D("0.84")
    assert whole.product_usage("a") == {"m": frozenset({"q"})}


def test_a_rate_on_a_supplier_without_a_cost_for_the_meter_is_a_missing_cost_naming_the_supplier():
    whole = _two_products(rates=(Rate("seconds", D("10"), product="a", supplier="r"),))
    catalogue = whole.for_product("a")

    (row,) = margin_report(catalogue).models["m"].rows
    assert row.flags == (MISSING_COST,)
    assert row.problems == ("m / default / seconds: charged in credits but no provider cost from r is known",)
    assert row.cost is None and row.at_basis is None

    (error,) = validate_catalogue(catalogue).errors
    assert (error.rule, error.place) == ("rate_without_cost", "credit rate m / all variants / seconds")
    assert "no provider cost from r for seconds is known there" in error.message

    with pytest.raises(MissingCost) as raised:
        usage_cost(whole.models["m"], None, {"seconds": D(1)}, {"seconds": "r"})
    assert (
        str(raised.value) == "m / default / seconds: no provider cost from r for this meter (r's costed meters: none)"
    )


def test_usage_cost_reads_the_supplier_named_per_meter():
    model = _two_products().models["m"]

    assert usage_cost(model, None, {"seconds": D(8)}).total.low == D("0.80")  # p, the provider
    assert usage_cost(model, None, {"seconds": D(8)}, {"seconds": "q"}).total.low == D("0.64")


def test_demo_gemini_2_5_flash_from_a_supplier_without_the_meter_names_it():
    """Seed 002's Gemini 2.5 Flash: Google costs tokens; OpenAI sells it nothing."""
    with pytest.raises(MissingCost) as raised:
        usage_cost(
            demo_catalogue().models["gemini-2-5-flash"], None, {"input_tokens": D(1)}, {"input_tokens": "openai"}
        )

    assert str(raised.value) == (
        "gemini-2-5-flash / default / input_tokens: no provider cost from openai for this meter "
        "(openai's costed meters: none)"
    )


# ---- A target range: coaching's 40–50 % ------------------------------------------------------------


def _coaching_hour_at(credits_per_unit):
    coaching = demo_product("coaching")
    hour = replace(coaching.workflows["coaching-session-hour"], credits_per_unit=D(credits_per_unit))
    return margin_report(replace(coaching, workflows={**coaching.workflows, hour.slug: hour})).workflows[hour.slug]


@pytest.mark.parametrize(
    ("minutes", "margin", "flags"),
    [
        # 60 × 100 / 180 TWD = 33.33… against 18.7728 TWD: 43.7 %, inside 40–50 %.
        ("60", "0.437", ()),
        # 50 minutes: 27.78 TWD, 32.4 %: below the low end.
        ("50", "0.324", (BELOW_TARGET,)),
        # 80 minutes: 44.44 TWD, 57.8 %: above the high end, more than the product means to earn.
        ("80", "0.578", (ABOVE_TARGET,)),
    ],
)
def test_a_target_range_is_met_inside_it(minutes, margin, flags):
    hour = _coaching_hour_at(minutes)

    assert hour.cost.expected.high == D("18.7728")
    assert hour.revenue_basis == D(minutes) * (D(100) / D(180))
    assert hour.at_basis.worst.gross_margin.quantize(D("0.001")) == D(margin)
    assert hour.flags == flags


def test_the_coaching_hour_quoted_at_its_basis_is_inside_the_range():
    coaching = demo_product("coaching")
    converter = Converter(coaching.fx_rates)
    quote = quote_workflow(
        coaching,
        "coaching-session-hour",
        None,
        revenue=revenue_per_credit(coaching.offers, coaching.product, converter),
        converter=converter,
    )

    margin = quote.at_basis.worst.gross_margin
    assert not coaching.product.below_target(margin) and not coaching.product.above_target(margin)


@pytest.mark.parametrize(
    ("margin", "below", "above"),
    [
        ("0.3999", True, False),
        ("0.40", False, False),  # the low end is met
        ("0.437", False, False),
        ("0.50", False, False),  # the high end is met
        ("0.5001", False, True),
    ],
)
def test_the_ends_of_a_range_are_inside_it(margin, below, above):
    coaching = demo_product("coaching").product

    assert (coaching.below_target(D(margin)), coaching.above_target(D(margin))) == (below, above)


def test_a_single_target_has_no_high_end():
    video = demo_product("video").product

    assert not video.above_target(D("0.99"))
    assert video.below_target(D("0.7499"))
    assert (target_text(video), target_text(demo_product("coaching").product)) == ("75.0%", "40.0%–50.0%")


# ---- validate_products ---------------------------------------------------------------------------


def test_the_demo_validates_with_video_s_six_warnings_named_by_the_product():
    """Coaching, sora-prompts and dev-flows judge no rate; coaching's hour is inside its range."""
    validation = validate_products(demo_catalogue())

    assert validation.ok
    assert [(warning.rule, warning.place) for warning in validation.warnings] == [
        ("below_target", "product 'video', price luma-ray-3 / 4k / seconds"),
        ("below_target", "product 'video', price minimax-hailuo-02 / 1080p / seconds"),
        ("below_target", "product 'video', price mochi-1 / default / seconds"),
        ("below_target", "product 'video', price sora-2-pro / 1080p / seconds"),
        ("loss", "product 'video', price wan-2-1 / 480p / seconds"),
        ("loss", "product 'video', price wan-2-1 / 720p / seconds"),
    ]
    assert all(warning.message.startswith("product 'video': price ") for warning in validation.warnings)


def test_a_shared_problem_is_named_once_and_a_product_s_problem_by_its_product():
    # A tier of m's cost from p that no one can read (shared), and product a's rate without a cost from r.
    costs = (
        Cost("seconds", D("0.10"), "USD"),
        Cost("seconds", D("0.20"), "USD", tier_threshold=D("10")),  # a threshold without a mode
        Cost("seconds", D("0.08"), "USD", supplier="q"),
    )
    rates = (
        Rate("seconds", D("10"), product="a"),
        Rate("seconds", D("10"), product="a", variant="default", supplier="r"),
    )
    whole = _two_products(costs=costs, rates=rates)

    validation = validate_products(whole)

    assert [(problem.rule, problem.place) for problem in validation.errors] == [
        ("rate_without_cost", "product 'a', credit rate m / default / seconds"),
        ("tiers", "provider cost m / all variants / seconds, from p"),
    ]
    assert validation.errors[0].message.startswith("product 'a': credit rate m / default / seconds: ")


def test_a_product_that_sells_nothing_needs_no_revenue_basis():
    """Product b has no offer and a basis of the lowest offer: it costs a clip, sells nothing."""
    assert validate_catalogue(_two_products().for_product("b")).problems == ()
    for slug in ("sora-prompts", "dev-flows"):
        catalogue = demo_product(slug)
        assert catalogue.offers == () and revenue_per_credit((), catalogue.product, Converter(())).basis is None
        assert validate_catalogue(catalogue).problems == ()


def test_a_product_that_sells_without_a_revenue_basis_is_named():
    whole = _two_products(products=(A, replace(B, revenue_basis="lowest")))
    whole = replace(
        whole,
        offers=(),
        models={**whole.models, "m": replace(whole.models["m"], rates=(Rate("seconds", D("10"), product="b"),))},
    )

    (error,) = validate_products(whole).errors

    assert (error.rule, error.place) == ("revenue", "product 'b', revenue per credit")


def test_no_product_is_a_problem_to_fix_before_publishing():
    validation = validate_products(replace(_two_products(), products={}))

    (error,) = validation.errors
    assert (error.rule, error.place) == (NO_PRODUCT, "products")
    assert error.message.startswith("there is no product yet: add one")


@pytest.mark.parametrize(
    ("on", "stale"),
    [
        (date(2026, 4, 1), False),  # 31 + 28 + 31 = 90 days after 1 January: not older than 90
        (date(2026, 4, 2), True),  # 91 days
    ],
)
def test_a_cost_read_longer_ago_than_stale_after_days_is_warned_of_once(on, stale):
    validation = validate_products(_two_products(), on=on, stale_after_days=90)

    warnings = [(w.rule, w.place, w.blocking) for w in validation.warnings if w.rule == STALE_COST]
    if not stale:
        assert warnings == []
        return
    # Both of m's costs, once each though a and b each buy one: a cost is shared, not a product's.
    assert warnings == [
        (STALE_COST, "provider cost m / all variants / seconds, from p", False),
        (STALE_COST, "provider cost m / all variants / seconds, from q", False),
    ]
    (from_p,) = [w for w in validation.warnings if w.place.endswith("from p")]
    assert from_p.message == (
        "provider cost m / all variants / seconds, from p: read as of 2026-01-01, 91 days ago "
        "(older than 90 days); check p's current price"
    )


def test_stale_costs_are_not_checked_without_a_day_and_a_limit():
    assert not [w for w in validate_products(_two_products()).warnings if w.rule == STALE_COST]
    assert not [w for w in validate_products(_two_products(), on=date(2027, 1, 1)).warnings if w.rule == STALE_COST]


# ---- A product that buys a model from one supplier, not its primary one ------------------------------


def test_sora_prompts_shows_gemini_2_5_flash_on_the_gateway():
    rows = margin_report(demo_product("sora-prompts")).models["gemini-2-5-flash"].rows

    assert [(row.meter, row.supplier, row.flags) for row in rows] == [
        ("input_tokens", "gateway", (NO_RATE,)),
        ("output_tokens", "gateway", (NO_RATE,)),
    ]


# ---- What a product sells, and its worst margin (the dashboard's line per product) ---------------


def test_coaching_sells_its_hour_by_the_minute_and_its_worst_margin_is_the_hours():
    """Coaching has no credit rate: the hour, sold at 60 minutes, is what it sells; its margin at the
    100 TWD plan's minute is (33.33 − 18.7728) / 33.33 = 43.7 %."""
    report = margin_report(demo_product("coaching"))

    assert [item.slug for item in report.sold] == ["coaching-session-hour"]
    assert report.worst_sold_margin().quantize(Decimal("0.001")) == Decimal("0.437")


def test_video_s_worst_margin_is_its_lowest_charged_row_and_a_cost_only_product_sells_nothing():
    video = margin_report(demo_product("video"))
    charged = [row for row in video.rows if row.charged]

    assert set(video.sold) == set(charged) and charged
    assert video.worst_sold_margin() == min(row.at_basis.worst.gross_margin for row in charged)
    assert video.worst_sold_margin() < video.product.target_gross_margin  # WAN 2.1 loses money

    flows = margin_report(demo_product("dev-flows"))
    assert flows.sold == () and flows.worst_sold_margin() is None
