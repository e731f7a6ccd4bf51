"""Credits for a usage: by the credit rate, whole credits rounded up once,
never below the minimum charge, within the allowed quantities and bounds."""

from decimal import Decimal

import pytest

from pricing.catalogue import Meter, Model, Rate, Variant
from pricing.charging import rate_credits, resolve_quantity, usage_credits
from pricing.errors import PricingError, QuantityError
from tests.demo_catalogue import demo_catalogue

METERS = {
    "seconds": Meter("seconds", "Seconds", "second"),
    "input_tokens": Meter("input_tokens", "Input tokens", "token", whole_units=True),
    "output_tokens": Meter("output_tokens", "Output tokens", "token", whole_units=True),
}


def credits_of(slug, usage, variant=None):
    catalogue = demo_catalogue()
    return usage_credits(catalogue.models[slug], variant, usage, catalogue.meters)


def text_model(*rates):
    return Model(
        slug="chat",
        name="Chat",
        provider="p",
        modality="text",
        variants=(Variant("default", "Default", is_default=True), Variant("pro", "Pro")),
        rates=rates,
    )


def token_rate(meter, credits, **options):
    return Rate(meter=meter, credits=Decimal(credits), per_units=1000, **options)


CHAT = text_model(token_rate("input_tokens", "1"), token_rate("output_tokens", "3"))


# ---- Seed 003 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "variant", "seconds", "credits"),
    [
        ("sora-2", None, "8", 80),  # 10 credits/s
        ("sora-2", None, "12", 120),
        ("sora-2-pro", None, "12", 420),  # 35 credits/s
        ("sora-2-pro", "720p", "8", 280),
        ("veo-3", None, "8", 480),  # 60 credits/s
        ("wan-2-1", "480p", "8", 16),  # WAN Draft: 2 credits/s
        ("wan-2-1", "720p", "8", 40),  # WAN Pro: 5 credits/s
        ("luma-ray-3", None, "2.5", 38),  # 37.5 rounded up
    ],
)
def test_seed_003_credits(slug, variant, seconds, credits):
    result = credits_of(slug, {"seconds": Decimal(seconds)}, variant)

    assert result.credits == credits
    assert result.lines[0].defaulted is False


def test_luma_exact_credits_are_kept_before_rounding_up():
    result = credits_of("luma-ray-3", {"seconds": Decimal("2.5")})

    assert result.exact == Decimal("37.5")
    assert result.credits == 38


@pytest.mark.parametrize("usage", [{}, {"seconds": None}])
def test_an_absent_quantity_takes_the_default(usage):
    result = credits_of("sora-2", usage)

    assert result.credits == 80  # 8 s by default
    assert result.lines[0].quantity == Decimal("8")
    assert result.lines[0].defaulted is True


def test_a_quantity_without_a_default_is_required():
    with pytest.raises(QuantityError, match="^chat / default / input_tokens: a quantity of input tokens is required$"):
        usage_credits(CHAT, None, {"output_tokens": Decimal("1000")}, METERS)


# ---- Quantities refused --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "seconds", "message"),
    [
        ("sora-2", "0", "sora-2 / 720p / seconds: the quantity must be above 0, got 0"),
        ("sora-2", "-4", "sora-2 / 720p / seconds: the quantity must be above 0, got -4"),
        ("sora-2", "6", "sora-2 / 720p / seconds: 6 is not allowed; allowed quantities are 4, 8, 12"),
        ("sora-2", "8.5", "sora-2 / 720p / seconds: 8.5 is not allowed; allowed quantities are 4, 8, 12"),
        ("veo-3", "10", "veo-3 / audio / seconds: 10 is not allowed; allowed quantities are 4, 6, 8"),
        ("luma-ray-3", "0.5", "luma-ray-3 / 720p / seconds: 0.5 is below the minimum of 1"),
        ("luma-ray-3", "11", "luma-ray-3 / 720p / seconds: 11 is above the maximum of 10"),
        ("kling-v2-1", "10.01", "kling-v2-1 / standard / seconds: 10.01 is above the maximum of 10"),
    ],
)
def test_a_quantity_outside_what_is_allowed_says_what_is(slug, seconds, message):
    with pytest.raises(QuantityError) as raised:
        credits_of(slug, {"seconds": Decimal(seconds)})

    assert str(raised.value) == message
    assert raised.value.meter == "seconds"


@pytest.mark.parametrize(("seconds", "credits"), [("1", 15), ("10", 150), ("8.0", 120)])
def test_the_bounds_themselves_are_allowed(seconds, credits):
    assert credits_of("luma-ray-3", {"seconds": Decimal(seconds)}).credits == credits


def test_an_allowed_quantity_written_differently_is_allowed():
    assert credits_of("sora-2", {"seconds": Decimal("12.00")}).credits == 120


def test_a_fractional_quantity_of_a_whole_unit_meter_is_refused():
    with pytest.raises(QuantityError) as raised:
        usage_credits(CHAT, None, {"input_tokens": Decimal("1.5"), "output_tokens": Decimal("10")}, METERS)

    assert str(raised.value) == "chat / default / input_tokens: input tokens are counted in whole units, got 1.5"
    assert raised.value.meter == "input_tokens"


def test_a_whole_quantity_written_with_decimals_is_whole():
    result = usage_credits(CHAT, None, {"input_tokens": Decimal("1000.000"), "output_tokens": Decimal("1000")}, METERS)

    assert result.credits == 4


def test_a_default_quantity_is_checked_like_a_given_one():
    rate = Rate(
        meter="seconds",
        credits=Decimal("10"),
        allowed_quantities=(Decimal("4"), Decimal("8")),
        default_quantity=Decimal("5"),
    )

    with pytest.raises(QuantityError, match="5 is not allowed; allowed quantities are 4, 8"):
        resolve_quantity(rate, METERS["seconds"], None, "place")


def test_resolve_quantity_returns_the_quantity_and_whether_it_was_defaulted():
    rate = Rate(meter="seconds", credits=Decimal("10"), default_quantity=Decimal("8"))

    assert resolve_quantity(rate, METERS["seconds"], None, "place") == (Decimal("8"), True)
    assert resolve_quantity(rate, METERS["seconds"], Decimal("3"), "place") == (Decimal("3"), False)


def test_a_meter_the_model_does_not_charge_lists_the_charged_meters():
    with pytest.raises(QuantityError) as raised:
        credits_of("sora-2", {"seconds": Decimal("8"), "input_tokens": Decimal("100")})

    assert str(raised.value) == "sora-2 / 720p: input_tokens is not charged; charged meters are seconds"
    assert raised.value.meter == "input_tokens"


@pytest.mark.parametrize("slug", ["luma-ray-flash-2", "claude-3-5-sonnet"])
def test_a_model_without_a_credit_rate_is_not_sold(slug):
    with pytest.raises(PricingError, match=r"no credit rate; this model variant is not sold$"):
        credits_of(slug, {})


def test_a_model_without_a_rate_names_the_model_and_variant():
    with pytest.raises(PricingError) as raised:
        credits_of("luma-ray-flash-2", {"seconds": Decimal("5")}, "1080p")

    assert str(raised.value) == "luma-ray-flash-2 / 1080p: no credit rate; this model variant is not sold"


# ---- Rounding and minimum charge -------------------------------------------------------------


@pytest.mark.parametrize(
    ("tokens_in", "tokens_out", "exact", "credits"),
    [
        ("1500", "500", "3", 3),  # 1.5 + 1.5: rounded once, not 2 + 2
        ("1", "1", "0.004", 1),
        ("1000", "1000", "4", 4),
        ("1001", "1000", "4.001", 5),  # a sliver more is one credit more, never fewer
        ("250", "250", "1", 1),
    ],
)
def test_whole_credits_are_rounded_up_once_over_every_meter(tokens_in, tokens_out, exact, credits):
    result = usage_credits(
        CHAT, None, {"input_tokens": Decimal(tokens_in), "output_tokens": Decimal(tokens_out)}, METERS
    )

    assert result.exact == Decimal(exact)
    assert result.credits == credits


@pytest.mark.parametrize(("tokens", "line_credits", "credits"), [("100", "5", 5), ("4000", "5", 5), ("6500", "6.5", 7)])
def test_the_minimum_charge_applies_per_line(tokens, line_credits, credits):
    chat = text_model(token_rate("input_tokens", "1", minimum_charge=5))

    result = usage_credits(chat, None, {"input_tokens": Decimal(tokens)}, METERS)

    assert result.lines[0].credits == Decimal(line_credits)
    assert result.credits == credits


def test_rate_credits_is_exact():
    rate = Rate(meter="seconds", credits=Decimal("15"), per_units=5, minimum_charge=2)

    assert rate_credits(rate, Decimal("1")) == Decimal("3")
    assert rate_credits(rate, Decimal("0.5")) == Decimal("2")
    assert rate_credits(rate, Decimal("7")) == Decimal("21")


# ---- Which rate applies --------------------------------------------------------------------


def test_a_variant_rate_overrides_the_all_variant_rate():
    chat = text_model(token_rate("input_tokens", "1"), token_rate("input_tokens", "4", variant="pro"))

    assert usage_credits(chat, None, {"input_tokens": Decimal("1000")}, METERS).credits == 1
    assert usage_credits(chat, "pro", {"input_tokens": Decimal("1000")}, METERS).credits == 4


def test_an_inactive_rate_is_not_charged():
    chat = text_model(token_rate("input_tokens", "1"), token_rate("output_tokens", "3", active=False))

    result = usage_credits(chat, None, {"input_tokens": Decimal("1000")}, METERS)
    assert [line.meter for line in result.lines] == ["input_tokens"]
    with pytest.raises(QuantityError, match="output_tokens is not charged; charged meters are input_tokens$"):
        usage_credits(chat, None, {"output_tokens": Decimal("1000")}, METERS)


def test_only_inactive_rates_mean_not_sold():
    chat = text_model(token_rate("input_tokens", "1", active=False))

    with pytest.raises(PricingError, match="^chat / default: no credit rate; this model variant is not sold$"):
        usage_credits(chat, None, {}, METERS)
