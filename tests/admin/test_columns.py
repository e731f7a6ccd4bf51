"""What the changelists show an ops person: derived figures, counts, search."""

from decimal import Decimal

from django.test import Client

from billingcfg.models import ExchangeRate
from plans.models import CreditPack, SubscriptionPlan
from rates.admin import ProviderCostAdmin
from rates.models import AIModel, ProviderCost
from tests import factories as f
from tests.admin.pages import admin_url, change_url


def _cells(client: Client, model: type, **params: str) -> str:
    response = client.get(admin_url(model, "changelist"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_pack_shows_price_per_credit_with_bonus_counted(admin_client: Client) -> None:
    """$9.99 for 250 + 4 bonus credits: a credit costs 3.93 cents."""
    pack = f.credit_pack(price=Decimal("9.99"), credits=250, bonus_credits=4)
    assert "0.0393 USD" in _cells(admin_client, CreditPack)
    assert "0.0393 USD" in admin_client.get(change_url(pack)).content.decode()


def test_plan_shows_price_per_credit(admin_client: Client) -> None:
    plan = f.plan(overage=True, price=Decimal("100"), currency=f.currency(code="TWD"), credits_per_interval=1200)
    assert "0.0833 TWD" in _cells(admin_client, SubscriptionPlan)
    assert "0.0833 TWD" in admin_client.get(change_url(plan)).content.decode()


def test_exchange_rate_shows_the_derived_rate(admin_client: Client) -> None:
    """Seed 000: ¥99 buys 1,600,000 points."""
    rate = f.exchange_rate(
        from_currency=f.currency(code="CNY"),
        to_currency=f.currency(code="PTS", is_internal=True),
        from_amount=Decimal("99"),
        to_amount=Decimal("1600000"),
    )
    assert "16,161.616162 PTS" in _cells(admin_client, ExchangeRate)
    assert "16,161.616162 PTS" in admin_client.get(change_url(rate)).content.decode()


def test_model_list_counts_variants(admin_client: Client) -> None:
    model = f.ai_model(default_variant=False, name="Sora 2 Pro")
    for slug in ("720p", "1080p", "4k"):
        f.variant(model=model, slug=slug, is_default=slug == "720p")
    response = admin_client.get(admin_url(AIModel, "changelist"))
    row = response.context["cl"].result_list.get(pk=model.pk)
    assert row.variant_count == 3
    assert '<td class="field-variant_count">3</td>' in response.content.decode()


def test_provider_costs_are_found_by_model_slug(admin_client: Client) -> None:
    wanted = f.provider_cost(model=f.ai_model(slug="veo-3"), for_default_variant=True)
    f.provider_cost(model=f.ai_model(slug="kling-2"), for_default_variant=True)
    response = admin_client.get(admin_url(ProviderCost, "changelist"), {"q": "veo-3"})
    assert list(response.context["cl"].result_list) == [wanted]


def test_decimals_show_as_entered_not_padded_to_the_column(admin_client: Client) -> None:
    """A price entered as 0.3 per 1,000,000 tokens reads 0.3, not 0.30000000."""
    cost = f.provider_cost(
        for_default_variant=True, price=Decimal("0.3"), price_high=Decimal("2400000"), per_units=1_000_000
    )

    listed = _cells(admin_client, ProviderCost)
    form = admin_client.get(change_url(cost)).content.decode()

    assert '<td class="field-price">0.3</td>' in listed
    assert '<td class="field-price_high">2,400,000</td>' in listed
    assert '<td class="field-per_units">1,000,000</td>' in listed
    assert 'name="price" value="0.3"' in form
    assert 'name="price_high" value="2400000"' in form


def test_decimal_columns_still_sort(admin_client: Client) -> None:
    cheap = f.provider_cost(for_default_variant=True, price=Decimal("0.3"))
    dear = f.provider_cost(for_default_variant=True, price=Decimal("15"))
    url = admin_url(ProviderCost, "changelist")
    price_column = str(ProviderCostAdmin.list_display.index("price") + 1)

    ascending = admin_client.get(url, {"o": price_column}).context["cl"].result_list
    descending = admin_client.get(url, {"o": f"-{price_column}"}).context["cl"].result_list

    assert (list(ascending), list(descending)) == ([cheap, dear], [dear, cheap])
