"""Properties of the pure pricing modules over generated values: what must hold
whatever the catalogue says."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.catalogue import Cost, FxRate, Meter, Model, Rate, Variant
from pricing.charging import usage_credits
from pricing.costing import usage_cost
from pricing.fx import Converter
from pricing.margins import Margin

EXAMPLES = settings(max_examples=200, deadline=None)

# Per N units that divide a power of ten: a price per N units stays exact, so linearity is exact.
PER_UNITS = st.sampled_from([1, 2, 4, 5, 8, 10, 1000, 1_000_000])


def decimals(low, high, places):
    return st.decimals(
        min_value=Decimal(low), max_value=Decimal(high), places=places, allow_nan=False, allow_infinity=False
    )


PRICES = decimals("0", "1000", 4)
POSITIVE = decimals("0.0001", "1000000", 4)
VARIANTS = (Variant("default", "Default", is_default=True),)
SECONDS = {"seconds": Meter("seconds", "Seconds", "second")}


# ---- Credits ------------------------------------------------------------------------------------


@EXAMPLES
@given(
    credits=decimals("0.01", "1000", 2),
    per_units=PER_UNITS,
    minimum_charge=st.integers(0, 50),
    first=decimals("0.001", "100000", 3),
    second=decimals("0.001", "100000", 3),
)
def test_credits_never_decrease_as_the_quantity_grows(credits, per_units, minimum_charge, first, second):
    model = Model(
        slug="m",
        name="M",
        provider="p",
        modality="video",
        variants=VARIANTS,
        rates=(Rate(meter="seconds", credits=credits, per_units=per_units, minimum_charge=minimum_charge),),
    )
    less, more = sorted((first, second))

    fewer = usage_credits(model, None, {"seconds": less}, SECONDS)
    most = usage_credits(model, None, {"seconds": more}, SECONDS)

    assert fewer.exact <= most.exact
    assert fewer.credits <= most.credits
    assert most.credits >= max(minimum_charge, 1)


# ---- Costs are linear within a tier ------------------------------------------------------------


def priced(*rows):
    return Model(slug="m", name="M", provider="p", modality="text", variants=VARIANTS, costs=rows)


def cost_of(model, quantity):
    return usage_cost(model, None, {"tokens": Decimal(quantity)}).total


@st.composite
def band_rows(draw, count):
    """`count` price rows on the same per N units, each a band low ≤ high."""
    per_units = draw(PER_UNITS)
    rows = []
    for _ in range(count):
        low = draw(PRICES)
        high = draw(st.one_of(st.none(), decimals(str(low), str(low + 100), 4)))
        rows.append({"price": low, "price_high": high, "per_units": per_units, "currency": "USD"})
    return rows


@EXAMPLES
@given(rows=band_rows(2), threshold=st.integers(1, 10_000_000), data=st.data())
def test_a_cliff_price_is_linear_below_its_threshold(rows, threshold, data):
    base, tier = rows
    model = priced(Cost("tokens", **base), Cost("tokens", tier_threshold=Decimal(threshold), tier_mode="cliff", **tier))
    a = data.draw(st.integers(0, threshold))
    b = data.draw(st.integers(0, threshold - a))

    assert cost_of(model, a + b) == cost_of(model, a) + cost_of(model, b)


@EXAMPLES
@given(rows=band_rows(3), first=st.integers(1, 1_000_000), width=st.integers(1, 1_000_000), data=st.data())
def test_graduated_prices_are_linear_within_one_segment(rows, first, width, data):
    """Below the first threshold, and for the units added within a higher segment."""
    second = first + width
    base, middle, top = rows
    model = priced(
        Cost("tokens", **base),
        Cost("tokens", tier_threshold=Decimal(first), tier_mode="graduated", **middle),
        Cost("tokens", tier_threshold=Decimal(second), tier_mode="graduated", **top),
    )
    a = data.draw(st.integers(0, first))
    b = data.draw(st.integers(0, first - a))
    assert cost_of(model, a + b) == cost_of(model, a) + cost_of(model, b)

    start = data.draw(st.sampled_from([first, second]))
    room = width if start == first else 1_000_000
    c = data.draw(st.integers(0, room))
    d = data.draw(st.integers(0, room - c))
    at_start = cost_of(model, start)
    assert cost_of(model, start + c + d) + at_start == cost_of(model, start + c) + cost_of(model, start + d)


# ---- Exchange rates: there and back ----------------------------------------------------------------

CURRENCIES = ("AAA", "BBB", "CCC", "DDD", "EEE", "FFF")
AMOUNTS = decimals("0.000001", "10000000", 6).filter(lambda amount: amount > 0)


@st.composite
def rate_sets(draw):
    """Rates between a few currencies, some pairs quoted both ways on different dates."""
    rates, used = [], set()
    for _ in range(draw(st.integers(1, 15))):
        source, target = draw(st.lists(st.sampled_from(CURRENCIES), min_size=2, max_size=2, unique=True))
        as_of = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 60)))
        pair = (frozenset((source, target)), as_of)
        if pair in used:  # one quote per pair and day, whichever its direction
            continue
        used.add(pair)
        rates.append(FxRate(source, target, draw(AMOUNTS), draw(AMOUNTS), as_of))
    return rates


@EXAMPLES
@given(
    rates=rate_sets(),
    source=st.sampled_from(CURRENCIES),
    target=st.sampled_from(CURRENCIES),
    amount=decimals("0.0001", "1000000000", 4),
    on=st.none() | st.integers(0, 60),
)
def test_converting_there_and_back_returns_the_amount(rates, source, target, amount, on):
    converter = Converter(rates, on=None if on is None else date(2026, 1, 1) + timedelta(days=on))
    if not converter.can_convert(source, target):
        return

    back = converter.convert(converter.convert(amount, source, target), target, source)

    if amount == 0:
        assert back == 0
    else:
        assert abs(back - amount) / amount < Decimal("1E-20")


# ---- Margins ---------------------------------------------------------------------------------------


@EXAMPLES
@given(revenue=decimals("0.0001", "1000000", 6), cost=decimals("0", "1000000", 6))
def test_gross_margin_is_negative_exactly_when_revenue_is_below_cost(revenue, cost):
    margin = Margin(revenue, cost)

    assert (margin.gross_margin < 0) == (revenue < cost) == margin.is_loss
    assert margin.gross_margin <= 1
