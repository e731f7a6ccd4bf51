"""What a usage costs us: unit prices per N units, price bands, cliff and
graduated tiers, variant rows, and the errors that name what is missing."""

from datetime import date
from decimal import Decimal

import pytest

from pricing.catalogue import Cost, FxRate, Model, Variant
from pricing.costing import meter_cost, split_tiers, usage_cost
from pricing.errors import MissingCost, PricingError
from pricing.fx import Converter
from pricing.money import Band
from tests.demo_catalogue import demo_catalogue, demo_product

M = 1_000_000
# Seed 000 buys its tokens from the gateway, in CNY.
FROM_GATEWAY = {"input_tokens": "gateway", "output_tokens": "gateway"}


def demo_model(slug):
    return demo_catalogue().models[slug]


def sora_prompts_model(slug):
    return demo_product("sora-prompts").models[slug]


def model(*costs, variants=("default",)):
    return Model(
        slug="m",
        name="M",
        provider="p",
        modality="text",
        variants=tuple(Variant(slug, slug.title(), is_default=index == 0) for index, slug in enumerate(variants)),
        costs=costs,
    )


def cost(meter, price, *, per_units=1, currency="USD", **tier):
    return Cost(meter=meter, price=Decimal(price), currency=currency, per_units=per_units, **tier)


# ---- Linear prices ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "variant", "usage", "total"),
    [
        ("sora-2", None, {"seconds": "8"}, "0.80"),  # seed 003: $0.10/s
        ("sora-2-pro", None, {"seconds": "12"}, "6.00"),  # 1080p by default: $0.50/s
        ("sora-2-pro", "720p", {"seconds": "12"}, "3.60"),
        ("veo-3", None, {"seconds": "8"}, "6.00"),  # seed 003: "8-second Veo 3 with audio ($6.00)"
        ("luma-ray-3", None, {"seconds": "8"}, "1.136"),  # $0.71 per 5 s
        ("kling-v2-1", "pro", {"seconds": "10"}, "0.98"),  # $0.49 per 5 s: 10 s is twice that
        ("minimax-hailuo-02", None, {"seconds": "10"}, "0.45"),  # $0.27 per 6 s: seed 003's ~$0.45
        ("sora-2", None, {"seconds": "0"}, "0"),
    ],
)
def test_linear_price_per_units(slug, variant, usage, total):
    result = usage_cost(demo_model(slug), variant, {meter: Decimal(q) for meter, q in usage.items()})

    assert result.total == Band.exact(Decimal(total))
    assert result.currency == "USD"


@pytest.mark.parametrize(
    ("slug", "tokens_in", "tokens_out", "total"),
    [
        ("claude-3-5-sonnet", "1000", "4000", "0.063"),  # seed 001's PRD: $3 / $15 per 1M
        ("claude-3-5-sonnet", "4500", "5000", "0.0885"),  # seed 001's UX
        ("gemini-flash-lite-latest", "750", "20", "0.0000830"),  # seed 002: one emotion call
        ("gemini-3-flash-preview", "55500", "2100", "0.03405"),  # seed 002: the report
    ],
)
def test_token_prices_per_million(slug, tokens_in, tokens_out, total):
    result = usage_cost(
        demo_model(slug), None, {"input_tokens": Decimal(tokens_in), "output_tokens": Decimal(tokens_out)}
    )

    assert result.total == Band.exact(Decimal(total))
    assert [line.meter for line in result.lines] == ["input_tokens", "output_tokens"]


def test_lines_keep_each_meter_and_the_chosen_variant():
    result = usage_cost(
        demo_model("claude-3-5-sonnet"), None, {"input_tokens": Decimal("1000"), "output_tokens": Decimal("4000")}
    )

    assert result.model == "claude-3-5-sonnet"
    assert result.variant == "default"
    assert [(line.meter, line.quantity, line.amount.low) for line in result.lines] == [
        ("input_tokens", Decimal("1000"), Decimal("0.003")),
        ("output_tokens", Decimal("4000"), Decimal("0.06")),
    ]


# ---- Price bands ----------------------------------------------------------------------


def test_seed_000_gemini_2_5_flash_band():
    """300 in / 700 out at ¥0.3–0.6 / ¥0.6–1.2 per 1M: ¥0.00051–0.00102, mid ¥0.000765."""
    result = usage_cost(
        sora_prompts_model("gemini-2-5-flash"),
        None,
        {"input_tokens": Decimal("300"), "output_tokens": Decimal("700")},
        FROM_GATEWAY,
    )

    assert result.currency == "CNY"
    assert result.total.low == Decimal("0.00051")
    assert result.total.high == Decimal("0.00102")
    assert result.total.mid == Decimal("0.000765")
    assert [line.amount for line in result.lines] == [
        Band(Decimal("0.00009"), Decimal("0.00018")),
        Band(Decimal("0.00042"), Decimal("0.00084")),
    ]


def test_seed_000_band_in_points():
    """Seed 000: the mid-range ¥0.000765 is 12.4 points."""
    converter = Converter([FxRate("CNY", "PTS", Decimal("99"), Decimal("1600000"), date(2026, 1, 25))])
    result = usage_cost(
        sora_prompts_model("gemini-2-5-flash"),
        None,
        {"input_tokens": Decimal("300"), "output_tokens": Decimal("700")},
        FROM_GATEWAY,
    )

    points = result.total_in(converter, "PTS")

    assert points.low.quantize(Decimal("0.0001")) == Decimal("8.2424")  # ¥0.00051 × 1,600,000 / 99
    assert points.high.quantize(Decimal("0.0001")) == Decimal("16.4848")
    assert points.mid.quantize(Decimal("0.1")) == Decimal("12.4")


def test_a_band_on_a_per_second_price():
    """Seed 003's Mochi estimate, $0.05–$0.20/s, over 8 s."""
    result = usage_cost(demo_model("mochi-1"), None, {"seconds": Decimal("8")})

    assert result.total == Band(Decimal("0.40"), Decimal("1.60"))
    assert result.total.mid == Decimal("1.00")
    assert not result.total.is_exact


# ---- Cliff tiers ------------------------------------------------------------------------

LONG_CONTEXT = model(
    cost("input_tokens", "3.00", per_units=M),
    cost("input_tokens", "6.00", per_units=M, tier_threshold=Decimal("200000"), tier_mode="cliff"),
    cost("output_tokens", "15.00", per_units=M),
    # The output price switches on the request's input tokens (long context).
    cost(
        "output_tokens",
        "22.50",
        per_units=M,
        tier_threshold=Decimal("200000"),
        tier_mode="cliff",
        tier_meter="input_tokens",
    ),
)


@pytest.mark.parametrize(
    ("tokens_in", "input_cost", "output_cost", "tier"),
    [
        ("100000", "0.3", "0.015", ""),
        ("200000", "0.6", "0.015", ""),  # at the threshold: still the base price
        ("200001", "1.200006", "0.0225", "above 200,000 input_tokens (cliff)"),  # the whole request
        ("300000", "1.8", "0.0225", "above 200,000 input_tokens (cliff)"),
    ],
)
def test_cliff_tier_prices_the_whole_request_strictly_above_the_threshold(tokens_in, input_cost, output_cost, tier):
    result = usage_cost(LONG_CONTEXT, None, {"input_tokens": Decimal(tokens_in), "output_tokens": Decimal("1000")})

    input_line, output_line = result.lines
    assert input_line.amount == Band.exact(Decimal(input_cost))
    assert output_line.amount == Band.exact(Decimal(output_cost))
    assert input_line.tier == output_line.tier == tier


def test_a_cliff_tier_measured_on_a_meter_the_usage_does_not_state_is_not_reached():
    result = usage_cost(LONG_CONTEXT, None, {"output_tokens": Decimal("1000")})

    assert result.total == Band.exact(Decimal("0.015"))


def test_the_highest_cliff_passed_applies():
    rows = (
        cost("seconds", "0.10"),
        cost("seconds", "0.08", tier_threshold=Decimal("100"), tier_mode="cliff"),
        cost("seconds", "0.05", tier_threshold=Decimal("10"), tier_mode="cliff"),
    )

    assert meter_cost(rows, Decimal("10"), {"seconds": Decimal("10")}, "m")[0] == Band.exact(Decimal("1.00"))
    assert meter_cost(rows, Decimal("11"), {"seconds": Decimal("11")}, "m")[0] == Band.exact(Decimal("0.55"))
    assert meter_cost(rows, Decimal("101"), {"seconds": Decimal("101")}, "m") == (
        Band.exact(Decimal("8.08")),
        "USD",
        "above 100 seconds (cliff)",
    )


# ---- Graduated tiers ---------------------------------------------------------------------

GRADUATED = model(
    cost("characters", "0.30", per_units=1000),
    cost("characters", "0.10", per_units=1000, tier_threshold=Decimal("100000"), tier_mode="graduated"),
    cost("characters", "0.20", per_units=1000, tier_threshold=Decimal("10000"), tier_mode="graduated"),
)


@pytest.mark.parametrize(
    ("characters", "total", "tier"),
    [
        ("0", "0", ""),
        ("5000", "1.5", ""),
        ("10000", "3", ""),  # the first 10,000 at $0.30 per 1,000
        ("10001", "3.0002", "above 10,000 characters (graduated)"),  # only the unit above at $0.20
        ("25000", "6", "above 10,000 characters (graduated)"),  # 3 + 15,000 × 0.20 / 1,000
        ("100000", "21", "above 10,000 characters (graduated)"),
        ("150000", "26", "above 100,000 characters (graduated)"),  # 3 + 18 + 50,000 × 0.10 / 1,000
    ],
)
def test_graduated_tiers_price_only_the_units_above_each_threshold(characters, total, tier):
    result = usage_cost(GRADUATED, None, {"characters": Decimal(characters)})

    assert result.total == Band.exact(Decimal(total))
    assert result.lines[0].tier == tier


def test_graduated_tiers_carry_bands():
    rows = (
        cost("seconds", "0.10", price_high=Decimal("0.20")),
        cost("seconds", "0.05", price_high=Decimal("0.15"), tier_threshold=Decimal("60"), tier_mode="graduated"),
    )

    amount, currency, _ = meter_cost(rows, Decimal("100"), {"seconds": Decimal("100")}, "m")

    assert amount == Band(Decimal("8.00"), Decimal("18.00"))  # 60 × 0.10 + 40 × 0.05 … 60 × 0.20 + 40 × 0.15
    assert currency == "USD"


# ---- Variant rows ------------------------------------------------------------------------

VARIANT_ROWS = model(
    cost("seconds", "0.10"),
    Cost(meter="seconds", price=Decimal("0.25"), currency="USD", variant="hd"),
    cost("requests", "0.01"),
    variants=("sd", "hd"),
)


@pytest.mark.parametrize(
    ("variant", "chosen", "total"),
    [(None, "sd", "1.01"), ("sd", "sd", "1.01"), ("hd", "hd", "2.51")],
)
def test_variant_rows_override_the_all_variant_rows(variant, chosen, total):
    result = usage_cost(VARIANT_ROWS, variant, {"seconds": Decimal("10"), "requests": Decimal("1")})

    assert result.variant == chosen
    assert result.total == Band.exact(Decimal(total))


def test_seed_003_variant_costs():
    assert usage_cost(demo_model("veo-3"), "no-audio", {"seconds": Decimal("8")}).total.low == Decimal("4.00")
    assert usage_cost(demo_model("wan-2-1"), "720p", {"seconds": Decimal("5")}).total.low == Decimal("1.25")


# ---- Errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "variant", "meter", "message"),
    [
        (
            "sora-2",
            None,
            "input_tokens",
            "sora-2 / 720p / input_tokens: no provider cost from openai for this meter "
            "(openai's costed meters: seconds)",
        ),
        (
            "gemini-2-5-flash",
            "default",
            "cached_input_tokens",
            "gemini-2-5-flash / default / cached_input_tokens: no provider cost from google for this meter "
            "(google's costed meters: input_tokens, output_tokens)",
        ),
    ],
)
def test_a_meter_without_a_cost_names_the_model_variant_meter_and_the_costed_meters(slug, variant, meter, message):
    with pytest.raises(MissingCost) as raised:
        usage_cost(demo_model(slug), variant, {meter: Decimal("1")})

    assert str(raised.value) == message


def test_a_model_without_any_cost_says_none_are_costed():
    with pytest.raises(
        MissingCost,
        match=r"^m / default / seconds: no provider cost from p for this meter \(p's costed meters: none\)$",
    ):
        usage_cost(model(), None, {"seconds": Decimal("1")})


def test_an_unknown_variant_lists_the_variants():
    with pytest.raises(KeyError) as raised:
        usage_cost(demo_model("sora-2-pro"), "4k", {"seconds": Decimal("8")})

    assert raised.value.args[0] == "model 'sora-2-pro' has no variant '4k'; its variants are: 720p, 1080p"


def test_a_model_without_a_default_variant_says_so():
    no_default = Model(slug="m", name="M", provider="p", modality="video", variants=(Variant("hd", "HD"),))

    with pytest.raises(KeyError, match="model 'm' has no default variant"):
        usage_cost(no_default, None, {"seconds": Decimal("1")})


def test_a_negative_quantity_is_refused():
    with pytest.raises(PricingError, match="^sora-2: a quantity of seconds cannot be negative$"):
        usage_cost(demo_model("sora-2"), None, {"seconds": Decimal("-1")})


def test_tiers_that_mix_cliff_and_graduated_are_refused():
    mixed = model(
        cost("seconds", "0.10"),
        cost("seconds", "0.08", tier_threshold=Decimal("10"), tier_mode="cliff"),
        cost("seconds", "0.05", tier_threshold=Decimal("100"), tier_mode="graduated"),
    )

    with pytest.raises(PricingError, match="^m / default / seconds: tiers mix cliff and graduated; use one mode"):
        usage_cost(mixed, None, {"seconds": Decimal("1")})


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            (cost("seconds", "0.08", tier_threshold=Decimal("10"), tier_mode="cliff"),),
            "place: needs exactly one base price (a row without a tier threshold), has 0",
        ),
        (
            (cost("seconds", "0.10"), cost("seconds", "0.20")),
            "place: needs exactly one base price (a row without a tier threshold), has 2",
        ),
        (
            (
                cost("output_tokens", "15"),
                cost(
                    "output_tokens",
                    "22.5",
                    tier_threshold=Decimal("200000"),
                    tier_mode="graduated",
                    tier_meter="input_tokens",
                ),
            ),
            "place: a graduated tier is measured on the priced meter, not on input_tokens",
        ),
    ],
)
def test_split_tiers_refuses_an_unclear_price(rows, message):
    with pytest.raises(PricingError) as raised:
        split_tiers(rows, "place")

    assert str(raised.value) == message


def test_split_tiers_orders_the_tiers_ascending():
    base, tiers = split_tiers(GRADUATED.costs, "place")

    assert base.price == Decimal("0.30")
    assert [tier.tier_threshold for tier in tiers] == [Decimal("10000"), Decimal("100000")]


def test_a_tier_in_another_currency_is_refused():
    rows = (
        cost("seconds", "0.10"),
        cost("seconds", "0.7", currency="CNY", tier_threshold=Decimal("10"), tier_mode="cliff"),
    )

    with pytest.raises(PricingError, match="^m: the base price and its tiers are in different currencies$"):
        meter_cost(rows, Decimal("1"), {"seconds": Decimal("1")}, "m")


def test_a_total_over_several_currencies_needs_a_conversion():
    mixed = model(cost("input_tokens", "3", per_units=M), cost("output_tokens", "7", per_units=M, currency="CNY"))
    result = usage_cost(mixed, None, {"input_tokens": Decimal("1000000"), "output_tokens": Decimal("1000000")})
    converter = Converter([FxRate("USD", "CNY", Decimal("1"), Decimal("7"), date(2026, 1, 25))])

    assert result.currencies == ("USD", "CNY")
    assert result.currency is None
    with pytest.raises(PricingError, match="^m: costs in USD, CNY; convert them to one currency$"):
        result.total  # noqa: B018
    assert result.total_in(converter, "USD") == Band.exact(Decimal("4"))
    assert result.total_in(converter, "CNY") == Band.exact(Decimal("28"))
