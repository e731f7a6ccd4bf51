"""Quoting one usage against a catalogue, with the seeds' own figures. No database."""

from decimal import Decimal

import pytest

from pricing.errors import QuantityError, UnknownName
from pricing.fx import Converter
from pricing.quote import quantity_meter, quote_model, quote_workflow
from pricing.revenue import revenue_per_credit
from tests.demo_catalogue import demo_product


def _priced(slug):
    catalogue = demo_product(slug)
    converter = Converter(catalogue.fx_rates)
    return catalogue, {
        "revenue": revenue_per_credit(catalogue.offers, catalogue.product, converter),
        "converter": converter,
    }


@pytest.fixture(scope="module")
def priced():
    """Seed 003's video credits: sold at $0.0358 (Studio) to $0.06 (Starter), judged at $0.05."""
    return _priced("video")


@pytest.fixture(scope="module")
def coaching():
    """Seed 002's minutes in TWD, judged at the 100 TWD plan's 100 / 180 TWD a minute."""
    return _priced("coaching")


@pytest.fixture(scope="module")
def sora_prompts():
    """Seed 000's prompts, costed in the gateway's points, sold nowhere."""
    return _priced("sora-prompts")


@pytest.mark.parametrize(
    ("model", "variant", "seconds", "credits", "cost"),
    [
        # Seed 003, "Example Cost Calculations" and "New Pricing vs Old".
        ("sora-2", None, "8", 80, "0.80"),
        ("sora-2-pro", "1080p", "8", 280, "4.00"),
        ("sora-2-pro", "1080p", "12", 420, "6.00"),
        ("veo-3", "audio", "8", 480, "6.00"),
        ("veo-3", "audio", None, 480, "6.00"),  # no quantity: the rate's default 8 s
        ("kling-v2-1", None, "8", 64, None),
        ("minimax-hailuo-02", None, "8", 40, None),
        ("wan-2-1", "480p", "8", 16, "0.72"),
        ("wan-2-1", "720p", "8", 40, "2.00"),
    ],
)
def test_seed_003_videos(priced, model, variant, seconds, credits, cost):
    catalogue, pricing = priced
    usage = {} if seconds is None else {"seconds": Decimal(seconds)}
    quote = quote_model(catalogue, model, variant, usage, **pricing)

    assert quote.credits == credits
    assert quote.lines[0].quantity == Decimal("8" if seconds is None else seconds)
    assert quote.lines[0].defaulted is (seconds is None)
    if cost is not None:
        assert quote.cost.high == Decimal(cost) and quote.cost_currency == "USD"
    assert quote.revenue_basis == credits * Decimal("0.05")
    assert quote.revenue_lowest == credits * Decimal("0.0358")


def test_seed_003_sora_2_at_the_basis_is_80_percent_margin_and_400_percent_markup(priced):
    catalogue, pricing = priced
    quote = quote_model(catalogue, "sora-2", None, {"seconds": Decimal(8)}, **pricing)

    assert quote.at_basis.worst.gross_margin == Decimal("0.8")
    assert quote.at_basis.worst.markup == Decimal(4)


def test_seed_002_coaching_hour_costs_0_58665_usd_which_is_18_7728_twd(coaching):
    """$0.58665 an hour at 32 TWD a dollar: 18.7728 TWD, in the coaching product's own currency."""
    catalogue, pricing = coaching
    quote = quote_workflow(catalogue, "coaching-session-hour", Decimal(1), **pricing)

    assert quote.reporting_currency == "TWD"
    assert quote.cost_reporting.high == Decimal("18.7728")
    assert len(quote.lines) == len(catalogue.workflows["coaching-session-hour"].steps)
    assert quote_workflow(catalogue, "coaching-session-hour", Decimal(2), **pricing).cost_reporting.high == Decimal(
        "37.5456"
    )


def test_seed_002_coaching_hour_is_60_minutes_at_43_7_percent(coaching):
    """60 minutes at 100 / 180 TWD = 33.33… TWD against 18.7728 TWD: 43.7 %; at the 500 TWD plan's
    500 / 1,200 TWD a minute, 25 TWD: 24.9 %."""
    catalogue, pricing = coaching
    quote = quote_workflow(catalogue, "coaching-session-hour", None, **pricing)

    assert quote.credits == 60
    assert quote.revenue_basis == 60 * (Decimal(100) / Decimal(180))
    assert quote.at_basis.worst.gross_margin.quantize(Decimal("0.001")) == Decimal("0.437")
    assert quote.revenue_lowest == 60 * (Decimal(500) / Decimal(1200))
    assert quote.at_lowest.worst.gross_margin.quantize(Decimal("0.001")) == Decimal("0.249")


def test_seed_000_a_call_is_costed_in_points_and_not_sold(sora_prompts):
    """Step A's call, 300 in / 700 out on Gemini 2.5 Flash from the gateway at ¥0.3–0.6 / ¥0.6–1.2
    per 1M: ¥0.00051–0.00102, × 1,600,000 / 99 points a yuan: 8.2424–16.4848 points, ~12.4 mid."""
    catalogue, pricing = sora_prompts
    quote = quote_workflow(catalogue, "prompt-call-2-5-flash", None, **pricing)

    assert quote.credits is None and quote.at_basis is None and quote.at_lowest is None
    assert quote.reporting_currency == "PTS"
    assert quote.cost_reporting.low.quantize(Decimal("0.0001")) == Decimal("8.2424")
    assert quote.cost_reporting.high.quantize(Decimal("0.0001")) == Decimal("16.4848")
    assert quote.cost_reporting.mid.quantize(Decimal("0.1")) == Decimal("12.4")


def test_seed_000_tokens_are_costed_in_cny_and_not_sold(sora_prompts):
    catalogue, pricing = sora_prompts
    quote = quote_model(
        catalogue, "gemini-2-5-flash", None, {"input_tokens": Decimal(300), "output_tokens": Decimal(700)}, **pricing
    )

    assert quote.credits is None and quote.at_basis is None
    assert quote.cost_currency == "CNY"
    assert quote.cost.low == Decimal("0.00051") and quote.cost.high == Decimal("0.00102")
    assert [(line.name, line.credits) for line in quote.lines] == [("input_tokens", None), ("output_tokens", None)]


@pytest.mark.parametrize(
    ("model", "variant", "usage", "error", "field", "words"),
    [
        ("nope", None, {}, UnknownName, "model", "no active model 'nope'; models are:"),
        ("sora-2-pro", "4k", {}, UnknownName, "variant", "has no variant '4k'; its variants are: 720p, 1080p"),
        (
            "sora-2",
            None,
            {"seconds": Decimal(5)},
            QuantityError,
            "seconds",
            "5 is not allowed; allowed quantities are 4, 8, 12",
        ),
        ("sora-2", None, {"seconds": Decimal(0)}, QuantityError, "seconds", "must be above 0"),
        ("sora-2", None, {"seconds": Decimal(-8)}, QuantityError, "seconds", "must be above 0"),
        ("luma-ray-3", None, {"seconds": Decimal(11)}, QuantityError, "seconds", "above the maximum of 10"),
        ("sora-2", None, {"frames": Decimal(1)}, QuantityError, "frames", "no meter 'frames'; its meters are: seconds"),
    ],
)
def test_bad_usages_name_the_field_and_what_is_allowed(priced, model, variant, usage, error, field, words):
    catalogue, pricing = priced
    with pytest.raises(error, match=words.replace("(", r"\(")) as raised:
        quote_model(catalogue, model, variant, usage, **pricing)
    assert getattr(raised.value, "field", getattr(raised.value, "meter", None)) == field


def test_a_workflow_quantity_must_be_positive(coaching):
    catalogue, pricing = coaching
    with pytest.raises(QuantityError, match="above 0"):
        quote_workflow(catalogue, "coaching-session-hour", Decimal(0), **pricing)


@pytest.mark.parametrize(
    ("model", "variant", "meter"),
    [
        ("veo-3", None, "seconds"),  # sold: its one charged meter
        ("nope", None, None),  # unknown: left for quote_model to name
        ("sora-2-pro", "4k", None),
    ],
)
def test_a_bare_quantity_applies_to_the_only_meter(priced, model, variant, meter):
    assert quantity_meter(priced[0], model, variant) == meter


def test_a_bare_quantity_on_a_costed_model_applies_to_its_one_costed_meter(coaching):
    """Coaching costs ElevenLabs' speech to text by the hour and sells it in no rate."""
    assert quantity_meter(coaching[0], "scribe-v2-realtime", None) == "hours"


def test_a_bare_quantity_on_a_model_with_several_meters_asks_for_usage(coaching):
    with pytest.raises(QuantityError, match='several meters \\(input_tokens, output_tokens\\).*send "usage"') as raised:
        quantity_meter(coaching[0], "gemini-2-5-flash", None)
    assert raised.value.meter == "quantity"
