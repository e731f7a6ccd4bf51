"""Exchange rates from two quoted amounts, against seeds 000 and 002, and
conversion through the rates in force on a day."""

from datetime import date
from decimal import Decimal

import pytest

from pricing.catalogue import FxRate
from pricing.errors import MissingExchangeRate
from pricing.fx import Converter, rate_from_amounts


def test_seed_000_points_per_rmb():
    """¥99 buys 1,600,000 points: ≈ 16,161.62 points per yuan."""
    rate = rate_from_amounts(from_amount=Decimal("99"), to_amount=Decimal("1600000"))

    assert rate.quantize(Decimal("0.01")) == Decimal("16161.62")
    assert rate.quantize(Decimal("1E-20")) == Decimal("16161.61616161616161616162")


def test_seed_000_rmb_per_point_is_exact():
    assert rate_from_amounts(from_amount=Decimal("1600000"), to_amount=Decimal("99")) == Decimal("0.000061875")


@pytest.mark.parametrize(
    ("call", "cost_rmb", "points", "places"),
    [("2.5 flash", "0.000765", "12.4", "0.1"), ("3 flash", "0.00195", "31.5", "0.1"), ("3 pro", "0.0117", "189", "1")],
)
def test_seed_000_cost_of_a_call_in_points(call, cost_rmb, points, places):
    rate = rate_from_amounts(from_amount=Decimal("99"), to_amount=Decimal("1600000"))

    assert (Decimal(cost_rmb) * rate).quantize(Decimal(places)) == Decimal(points)


def test_seed_002_usd_to_twd_both_ways():
    """1 USD = 32 TWD, so 2,000 users × 100 TWD = 200,000 TWD = $6,250."""
    usd_to_twd = rate_from_amounts(from_amount=Decimal("1"), to_amount=Decimal("32"))
    twd_to_usd = rate_from_amounts(from_amount=Decimal("32"), to_amount=Decimal("1"))

    assert usd_to_twd == Decimal("32")
    assert twd_to_usd == Decimal("0.03125")
    assert Decimal("200000") * twd_to_usd == Decimal("6250")


@pytest.mark.parametrize(("from_amount", "to_amount"), [("0", "32"), ("1", "0"), ("-1", "32"), ("1", "-32")])
def test_an_amount_that_is_not_positive_is_refused(from_amount, to_amount):
    with pytest.raises(ValueError, match="both sides of an exchange rate must be positive"):
        rate_from_amounts(from_amount=Decimal(from_amount), to_amount=Decimal(to_amount))


# ---- Converter: the rates in force on a day, both ways and through other currencies ----

JAN_25 = date(2026, 1, 25)
FEB_07 = date(2026, 2, 7)


def rate(source, target, from_amount, to_amount, as_of=JAN_25):
    return FxRate(source, target, Decimal(from_amount), Decimal(to_amount), as_of)


DEMO_RATES = (
    rate("USD", "TWD", "1", "32", FEB_07),
    rate("USD", "CNY", "1", "7.1"),
    rate("CNY", "PTS", "99", "1600000"),
)


@pytest.mark.parametrize(
    ("amount", "source", "target", "expected"),
    [
        ("1", "USD", "TWD", "32"),  # direct
        ("6250", "USD", "TWD", "200000"),
        ("200000", "TWD", "USD", "6250"),  # inverse
        ("100", "TWD", "USD", "3.125"),
        ("99", "CNY", "PTS", "1600000"),  # seed 000, exact both ways
        ("1600000", "PTS", "CNY", "99"),
        ("1", "PTS", "CNY", "0.000061875"),
        ("7.1", "CNY", "USD", "1"),
        ("1", "USD", "USD", "1"),  # the same currency is the identity
        ("0.000765", "CNY", "CNY", "0.000765"),
    ],
)
def test_convert_direct_inverse_and_identity(amount, source, target, expected):
    assert Converter(DEMO_RATES).convert(Decimal(amount), source, target) == Decimal(expected)


@pytest.mark.parametrize(
    ("amount", "source", "target", "expected"),
    [
        ("1600000", "PTS", "USD", "13.94366197183098591549295775"),  # ¥99 ÷ 7.1
        ("1", "USD", "PTS", "114747.4747474747474747474747"),  # 7.1 × 1,600,000 / 99
        ("1", "TWD", "CNY", "0.221875"),  # 7.1 / 32
        ("227.2", "TWD", "CNY", "50.41"),
        ("99", "TWD", "PTS", "355000"),  # TWD → USD → CNY → PTS: 99 / 32 × 7.1 × 1,600,000 / 99
    ],
)
def test_convert_through_other_currencies(amount, source, target, expected):
    assert Converter(DEMO_RATES).convert(Decimal(amount), source, target) == Decimal(expected)


def test_seed_000_gemini_call_in_points():
    """¥0.000765 for a Gemini 2.5 Flash call is 12.4 points."""
    points = Converter(DEMO_RATES).convert(Decimal("0.000765"), "CNY", "PTS")

    assert points == Decimal("12.36363636363636363636363636")
    assert points.quantize(Decimal("0.1")) == Decimal("12.4")


def test_rate_is_one_unit_converted():
    converter = Converter(DEMO_RATES)

    assert converter.rate("USD", "TWD") == Decimal("32")
    assert converter.rate("TWD", "USD") == Decimal("0.03125")
    assert converter.rate("EUR", "EUR") == Decimal("1")


def test_the_newest_rate_on_or_before_the_day_is_used():
    rates = (
        rate("USD", "TWD", "1", "30", date(2025, 12, 1)),
        rate("USD", "TWD", "1", "32", date(2026, 2, 7)),
        rate("USD", "TWD", "1", "31", date(2026, 1, 1)),
    )

    assert Converter(rates).convert(Decimal("10"), "USD", "TWD") == Decimal("320")
    assert Converter(rates, on=date(2026, 2, 7)).convert(Decimal("10"), "USD", "TWD") == Decimal("320")
    assert Converter(rates, on=date(2026, 2, 6)).convert(Decimal("10"), "USD", "TWD") == Decimal("310")
    assert Converter(rates, on=date(2026, 1, 1)).convert(Decimal("10"), "USD", "TWD") == Decimal("310")
    assert Converter(rates, on=date(2025, 12, 31)).convert(Decimal("10"), "USD", "TWD") == Decimal("300")


def test_a_rate_dated_after_the_day_is_ignored():
    with pytest.raises(MissingExchangeRate, match="no exchange rate from USD to TWD"):
        Converter(DEMO_RATES, on=date(2026, 2, 6)).convert(Decimal("1"), "USD", "TWD")


def test_a_newer_quote_in_the_opposite_direction_wins():
    """1 USD = ¥7.1 in January, ¥7.2 = 1 USD in February: February's rate holds both ways."""
    rates = (rate("USD", "CNY", "1", "7.1", JAN_25), rate("CNY", "USD", "7.2", "1", FEB_07))

    assert Converter(rates).convert(Decimal("100"), "USD", "CNY") == Decimal("720")
    assert Converter(rates).convert(Decimal("720"), "CNY", "USD") == Decimal("100")
    assert Converter(rates, on=JAN_25).convert(Decimal("100"), "USD", "CNY") == Decimal("710")
    assert Converter(rates, on=JAN_25).convert(Decimal("710"), "CNY", "USD") == Decimal("100")


def test_on_the_same_day_a_direct_rate_beats_the_inverse_of_the_opposite_one():
    rates = (rate("USD", "CNY", "1", "7.1"), rate("CNY", "USD", "7.2", "1"))

    assert Converter(rates).convert(Decimal("100"), "USD", "CNY") == Decimal("710")
    assert Converter(rates).convert(Decimal("720"), "CNY", "USD") == Decimal("100")


@pytest.mark.parametrize(
    ("rates", "source", "target", "message"),
    [
        (DEMO_RATES, "USD", "EUR", "no exchange rate from USD to EUR"),
        (DEMO_RATES, "EUR", "PTS", "no exchange rate from EUR to PTS"),
        ((), "USD", "TWD", "no exchange rate from USD to TWD"),
        (
            (rate("USD", "TWD", "1", "32"), rate("EUR", "GBP", "1", "0.85")),
            "TWD",
            "GBP",
            "no exchange rate from TWD to GBP",
        ),
    ],
)
def test_a_missing_pair_names_both_currencies(rates, source, target, message):
    converter = Converter(rates)

    with pytest.raises(MissingExchangeRate, match=f"^{message}$") as raised:
        converter.convert(Decimal("1"), source, target)

    assert (raised.value.from_currency, raised.value.to_currency) == (source, target)
    assert raised.value.pair == f"{source} → {target}"
    assert converter.can_convert(source, target) is False


def test_can_convert():
    converter = Converter(DEMO_RATES)

    assert converter.can_convert("PTS", "TWD")
    assert converter.can_convert("EUR", "EUR")
    assert not converter.can_convert("USD", "EUR")


def test_there_and_back_takes_one_route_when_two_are_as_short():
    """AAA reaches BBB through CCC and YYY, or through DDD and XXX, at cross rates
    that disagree: both directions take the same route, so the amount comes back."""
    rates = [
        rate(source, target, "1", to_amount)
        for source, target, to_amount in (
            ("AAA", "CCC", "2"),
            ("CCC", "YYY", "3"),
            ("YYY", "BBB", "5"),
            ("AAA", "DDD", "7"),
            ("DDD", "XXX", "11"),
            ("XXX", "BBB", "13"),
        )
    ]
    converter = Converter(rates)

    assert converter.convert(Decimal("100"), "AAA", "BBB") == Decimal("3000")  # 100 × 2 × 3 × 5
    assert converter.convert(Decimal("3000"), "BBB", "AAA") == Decimal("100")
