"""Price per credit of packs and plans, against seed 003's own table, and what
a credit earns over the active offers."""

from datetime import date
from decimal import Decimal

import pytest

from pricing.catalogue import FxRate, Offer, Product
from pricing.fx import Converter
from pricing.money import round_places
from pricing.revenue import price_per_credit, revenue_per_credit
from tests.demo_catalogue import demo_catalogue, demo_product


@pytest.mark.parametrize(
    ("offer", "credits", "price", "per_credit"),
    [
        ("Starter", 250, "15", "0.060"),
        ("Booster", 500, "28", "0.056"),
        ("Pro", 1000, "52", "0.052"),
        ("Studio", 2500, "120", "0.048"),
        ("Explorer", 400, "19", "0.0475"),
        ("Agency", 5000, "179", "0.0358"),
    ],
)
def test_seed_003_price_per_credit(offer, credits, price, per_credit):
    result = price_per_credit(price=Decimal(price), credits=credits)

    assert isinstance(result, Decimal)
    assert result == Decimal(per_credit)


def test_seed_003_creator_plan_is_not_rounded_inside():
    """1,500 credits for $59: $0.039333… a credit; seed 003 shows it rounded to $0.0393."""
    result = price_per_credit(price=Decimal("59"), credits=1500)

    assert result.quantize(Decimal("1E-15")) == Decimal("0.039333333333333")
    assert round_places(result, 4) == Decimal("0.0393")


@pytest.mark.parametrize(
    ("credits", "bonus", "price", "per_credit"),
    [(250, 50, "15", "0.05"), (500, 0, "28", "0.056"), (1000, 300, "52", "0.04")],
)
def test_bonus_credits_count(credits, bonus, price, per_credit):
    assert price_per_credit(price=Decimal(price), credits=credits, bonus_credits=bonus) == Decimal(per_credit)


def test_a_free_pack_costs_nothing_per_credit():
    assert price_per_credit(price=Decimal("0"), credits=50) == 0


@pytest.mark.parametrize(("credits", "bonus"), [(0, 0), (-10, 5)])
def test_an_offer_without_credits_is_refused(credits, bonus):
    with pytest.raises(ValueError, match="an offer must grant at least one credit"):
        price_per_credit(price=Decimal("15"), credits=credits, bonus_credits=bonus)


def test_a_negative_price_is_refused():
    with pytest.raises(ValueError, match="an offer's price cannot be negative"):
        price_per_credit(price=Decimal("-0.01"), credits=250)


# ---- Revenue per credit over the active offers, in the reporting currency ----


def usd_policy(basis="lowest", fixed=None):
    return Product(
        reporting_currency="USD",
        target_gross_margin=Decimal("0.75"),
        revenue_basis=basis,
        fixed_revenue_per_credit=None if fixed is None else Decimal(fixed),
    )


def offer(slug, price, credits, currency="USD", *, kind="pack", active=True):
    return Offer(kind, slug, slug.title(), Decimal(price), currency, credits, active)


USD_TWD = Converter([FxRate("USD", "TWD", Decimal("1"), Decimal("32"), date(2026, 2, 7))])
SEED_003_MEAN = "0.04837619047619047619047619047"  # (0.2993 + 59/1500) / 7


def test_seed_003_revenue_per_credit_over_its_seven_offers():
    catalogue = demo_product("video")

    revenue = revenue_per_credit(catalogue.offers, catalogue.product, Converter(catalogue.fx_rates))

    assert revenue.currency == "USD"
    assert revenue.lowest == Decimal("0.0358")  # Agency
    assert revenue.highest == Decimal("0.06")  # Starter
    assert revenue.mean == Decimal(SEED_003_MEAN)
    sold = [item.per_credit_reporting for item in revenue.offers if item.offer.active]
    assert len(sold) == 7
    assert revenue.mean == sum(sold, Decimal(0)) / 7
    assert (revenue.basis_name, revenue.basis) == ("fixed", Decimal("0.05"))  # seed 003 judges at $0.05
    assert revenue.problems == ()


def test_seed_002_plans_sell_the_coaching_minute_in_twd_and_the_100_twd_plan_is_the_basis():
    """100 TWD / 180 minutes, 300 / 600 and 500 / 1,200: 0.5556, 0.5 and 0.4167 TWD a minute."""
    catalogue = demo_product("coaching")

    revenue = revenue_per_credit(catalogue.offers, catalogue.product, Converter(catalogue.fx_rates))

    assert revenue.currency == "TWD"
    assert [(item.offer.slug, item.per_credit, item.per_credit_reporting) for item in revenue.offers] == [
        ("coach-basic", Decimal(100) / Decimal(180), Decimal(100) / Decimal(180)),
        ("coach-standard", Decimal("0.5"), Decimal("0.5")),
        ("coach-pro", Decimal(500) / Decimal(1200), Decimal(500) / Decimal(1200)),
    ]
    assert revenue.lowest == Decimal(500) / Decimal(1200)
    assert revenue.highest == Decimal(100) / Decimal(180)
    assert revenue.mean.quantize(Decimal("0.0000000001")) == Decimal("0.4907407407")  # 1.47222… / 3
    assert (revenue.basis_name, revenue.basis) == ("highest", Decimal(100) / Decimal(180))
    assert revenue.problems == ()


def test_the_video_credit_is_not_priced_by_the_coaching_minute():
    """Each product's credit is priced by its own offers: the 500 TWD plan's minute, 500 / 1,200 TWD
    at 32 TWD a dollar = $0.0130, would be the lowest price of a video credit if it were counted."""
    whole = demo_catalogue()
    video = demo_product("video")

    own = revenue_per_credit(video.offers, video.product, Converter(video.fx_rates))
    everything = revenue_per_credit(whole.offers, video.product, Converter(whole.fx_rates))

    assert [item.offer.slug for item in own.offers] == [
        "starter",
        "booster",
        "pro",
        "studio",
        "explorer",
        "creator",
        "agency",
    ]
    assert own.lowest == Decimal("0.0358")  # Agency, not the coaching minute
    assert everything.lowest.quantize(Decimal("0.0001")) == Decimal("0.0130")


@pytest.mark.parametrize(
    ("basis", "fixed", "expected"),
    [
        ("lowest", None, "0.0358"),
        ("mean", None, SEED_003_MEAN),
        ("highest", None, "0.06"),
        ("fixed", "0.05", "0.05"),
        ("fixed", "0.045", "0.045"),
    ],
)
def test_the_basis_follows_the_policy(basis, fixed, expected):
    catalogue = demo_product("video")

    revenue = revenue_per_credit(catalogue.offers, usd_policy(basis, fixed), Converter(catalogue.fx_rates))

    assert revenue.basis_name == basis
    assert revenue.basis == Decimal(expected)
    assert revenue.at("basis") == Decimal(expected)
    assert revenue.at("lowest") == Decimal("0.0358")


@pytest.mark.parametrize(
    ("offers", "lowest", "mean", "highest"),
    [
        # An inactive offer does not set the price.
        ((offer("starter", "15", 250), offer("legacy", "10", 1000, active=False)), "0.06", "0.06", "0.06"),
        # A free offer gives credits away: it is not a price.
        ((offer("starter", "15", 250), offer("welcome", "0", 50)), "0.06", "0.06", "0.06"),
        # Another currency is converted: 320 TWD for 200 credits is $0.05.
        ((offer("starter", "15", 250), offer("taiwan", "320", 200, "TWD")), "0.05", "0.055", "0.06"),
        ((offer("starter", "15", 250), offer("agency", "179", 5000, kind="plan")), "0.0358", "0.0479", "0.06"),
    ],
)
def test_lowest_mean_highest_over_the_offers_sold(offers, lowest, mean, highest):
    revenue = revenue_per_credit(offers, usd_policy(), USD_TWD)

    assert (revenue.lowest, revenue.mean, revenue.highest) == (Decimal(lowest), Decimal(mean), Decimal(highest))


def test_every_offer_is_listed_with_its_own_and_its_reporting_price():
    offers = (offer("taiwan", "320", 200, "TWD"), offer("welcome", "0", 50), offer("legacy", "10", 1000, active=False))

    revenue = revenue_per_credit(offers, usd_policy(), USD_TWD)

    assert [(item.offer.slug, item.per_credit, item.per_credit_reporting) for item in revenue.offers] == [
        ("taiwan", Decimal("1.6"), Decimal("0.05")),
        ("welcome", Decimal("0"), Decimal("0")),
        ("legacy", Decimal("0.01"), Decimal("0.01")),
    ]


def test_an_active_offer_without_an_exchange_rate_is_a_problem_naming_it_and_the_pair():
    offers = (
        offer("starter", "15", 250),
        offer("euro-pack", "10", 200, "EUR"),
        offer("euro-plan", "20", 500, "EUR", kind="plan"),
    )

    revenue = revenue_per_credit(offers, usd_policy(), USD_TWD)

    assert revenue.problems == (
        "pack 'euro-pack': no exchange rate from EUR to USD",
        "plan 'euro-plan': no exchange rate from EUR to USD",
    )
    assert revenue.offers[1].per_credit == Decimal("0.05")
    assert revenue.offers[1].per_credit_reporting is None
    assert (revenue.lowest, revenue.highest) == (Decimal("0.06"), Decimal("0.06"))  # priced offers only


def test_an_inactive_offer_without_an_exchange_rate_is_no_problem():
    offers = (offer("starter", "15", 250), offer("euro-pack", "10", 200, "EUR", active=False))

    assert revenue_per_credit(offers, usd_policy(), USD_TWD).problems == ()


@pytest.mark.parametrize(
    ("basis", "fixed", "expected"), [("lowest", None, None), ("mean", None, None), ("fixed", "0.05", Decimal("0.05"))]
)
def test_without_an_offer_sold_only_a_fixed_basis_remains(basis, fixed, expected):
    revenue = revenue_per_credit((offer("welcome", "0", 50),), usd_policy(basis, fixed), USD_TWD)

    assert (revenue.lowest, revenue.mean, revenue.highest) == (None, None, None)
    assert revenue.basis == expected


def test_revenue_in_another_reporting_currency():
    policy = Product(reporting_currency="TWD", target_gross_margin=Decimal("0.75"), revenue_basis="mean")

    revenue = revenue_per_credit((offer("starter", "15", 250), offer("agency", "179", 5000)), policy, USD_TWD)

    assert revenue.currency == "TWD"
    assert (revenue.lowest, revenue.highest, revenue.basis) == (Decimal("1.1456"), Decimal("1.92"), Decimal("1.5328"))
