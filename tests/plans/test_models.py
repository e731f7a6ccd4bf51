"""Credit packs and subscription plans: what the database refuses, what the
admin says, and the price per credit a pack shows."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from plans.models import CreditPack, SubscriptionPlan
from tests import factories as f
from tests.billingcfg.breaches import Breach, assert_database_refuses

BREACHES = [
    Breach("credit_pack_credits_positive", "0-credits", lambda: f.credit_pack_unsaved(credits=0)),
    Breach("credit_pack_price_not_negative", "price-negative", lambda: f.credit_pack_unsaved(price=Decimal("-0.01"))),
    Breach("subscription_plan_credits_positive", "0-credits", lambda: f.plan_unsaved(credits_per_interval=0)),
    Breach("subscription_plan_price_not_negative", "price-negative", lambda: f.plan_unsaved(price=Decimal("-0.0001"))),
    Breach(
        "subscription_plan_overage_not_negative",
        "overage-negative",
        lambda: f.plan_unsaved(overage_price_per_credit=Decimal("-0.5")),
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("breach", BREACHES, ids=lambda breach: breach.id)
def test_database_and_admin_refuse(breach):
    assert_database_refuses(breach)


@pytest.mark.django_db
def test_a_free_pack_and_a_plan_without_overage_are_accepted():
    pack = f.credit_pack_unsaved(slug="welcome", price=Decimal("0"), credits=50)
    plan = f.plan_unsaved(slug="explorer", overage_price_per_credit=None)
    for row in (pack, plan):
        row.full_clean()
        row.save()

    assert CreditPack.objects.get(slug="welcome").price == 0
    assert SubscriptionPlan.objects.get(slug="explorer").overage_price_per_credit is None


@pytest.mark.django_db
def test_slugs_are_unique_per_kind_of_offer():
    f.credit_pack(slug="starter")
    f.plan(slug="starter")

    with pytest.raises(ValidationError) as invalid:
        f.credit_pack_unsaved(slug="starter").full_clean()

    assert list(invalid.value.message_dict) == ["slug"]


@pytest.mark.django_db
def test_pack_price_per_credit_counts_bonus_credits_after_a_round_trip():
    """Seed 003's Starter pack: 250 credits for $15 is $0.060 a credit; 50 bonus credits make it $0.05."""
    starter = f.credit_pack(slug="starter", credits=250, price=Decimal("15"))
    boosted = f.credit_pack(slug="starter-bonus", credits=250, bonus_credits=50, price=Decimal("15"))
    starter.refresh_from_db()
    boosted.refresh_from_db()

    assert starter.price_per_credit == Decimal("0.060")
    assert boosted.price_per_credit == Decimal("0.05")


@pytest.mark.django_db
def test_plan_price_per_credit():
    """Seed 003's Explorer plan: 400 credits for $19 a month is $0.0475 a credit."""
    explorer = f.plan(slug="explorer", credits_per_interval=400, price=Decimal("19"))
    explorer.refresh_from_db()

    assert explorer.price_per_credit == Decimal("0.0475")
