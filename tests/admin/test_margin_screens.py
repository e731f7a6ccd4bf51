"""Margins where ops staff edit: the model page, the credit-rate, variant, model
and workflow lists, and their margin filters."""

import re
from decimal import Decimal

import pytest
from django.http import HttpResponse
from django.test import Client

from billingcfg.models import Currency, Product
from plans.models import SubscriptionPlan
from rates.models import AIModel, CreditRate, Meter, Variant, Workflow
from tests import factories as f
from tests.admin.pages import admin_url, change_url, page_data, table_rows


def _row(response, *words: str) -> str:
    """The one row of the margin tables (or of the changelist) holding every word."""
    tables = re.findall(r'<table class="price-rows">.*?</table>', response.content.decode(), re.S)
    if not tables:
        tables = re.findall(r'<table id="result_list">.*?</table>', response.content.decode(), re.S)
    found = [row for table in tables for row in table_rows(HttpResponse(table)) if all(word in row for word in words)]
    assert len(found) == 1, (words, found)
    return found[0]


def _video() -> Product:
    """The demo's default product, which sells the video models."""
    return Product.objects.get(is_default=True)


def _listed(response) -> list[str]:
    return [str(obj) for obj in response.context["cl"].result_list]


def test_model_page_shows_each_variant_with_cost_credits_margin_markup_and_flags(admin_client: Client, demo):
    page = admin_client.get(change_url(AIModel.objects.get(slug="sora-2-pro")))

    # Sora 2 Pro: 35 credits a second; at $0.05 (the basis) 720p costs $0.30 and 1080p $0.50.
    assert _row(page, "720p", "seconds") == (
        "720p seconds openai 1 0.30 USD 0.30 35 1.253 76.1% 317.7% 1.75 82.9% 483.3% 24 OK"
    )
    assert _row(page, "1080p", "seconds") == (
        "1080p seconds openai 1 0.50 USD 0.50 35 1.253 60.1% 150.6% 1.75 71.4% 250.0% 40 Below target"
    )
    assert "Revenue per credit: lowest 0.0358 USD, basis (fixed) 0.05 USD. Target gross margin 75.0%." in (
        " ".join(page.content.decode().split())
    )


def test_sora_2_at_five_cents_a_credit_is_80_percent_margin_and_400_percent_markup(admin_client: Client, demo):
    page = admin_client.get(change_url(AIModel.objects.get(slug="sora-2")))

    row = _row(page, "720p", "seconds")
    assert "80.0% 400.0%" in row
    assert row.endswith("8 OK")


def test_a_band_is_shown_as_a_range_and_judged_at_its_high_end(admin_client: Client, demo):
    page = admin_client.get(change_url(AIModel.objects.get(slug="mochi-1")))

    # Mochi 1: $0.05–0.20 a second, 10 credits: 90% at the low end, 60% at the high end.
    assert _row(page, "default", "seconds") == (
        "default seconds fal 1 0.05–0.20 USD 0.05–0.20 10 0.358 44.1% to 86.0% 79.0% to 616.0% "
        "0.50 60.0% to 90.0% 150.0% to 900.0% 16 Below target"
    )


def test_saving_a_credit_rate_on_the_model_page_moves_its_margin(admin_client: Client, demo):
    wan = AIModel.objects.get(slug="wan-2-1")
    page = admin_client.get(change_url(wan))
    assert "Loss" in _row(page, "720p", "seconds")

    data = page_data(page)
    rate = CreditRate.objects.get(model=wan, variant__slug="720p")
    index = next(key for key, value in data.items() if key.endswith("-id") and value == str(rate.pk))
    data[index.replace("-id", "-credits")] = "25"
    saved = admin_client.post(change_url(wan), data)
    assert saved.status_code == 302, saved.content.decode()[:2000]

    page = admin_client.get(change_url(wan))
    # 25 credits × $0.05 = $1.25 against $0.25: 80% margin, no flag.
    assert _row(page, "720p", "seconds").endswith("80.0% 400.0% 20 OK")


def test_a_pack_price_change_moves_the_margin_at_the_lowest_credit_price(admin_client: Client, demo):
    sora = change_url(AIModel.objects.get(slug="sora-2"))
    assert "72.1%" in _row(admin_client.get(sora), "720p", "seconds")  # lowest $0.0358 (Agency)

    agency = SubscriptionPlan.objects.get(slug="agency")
    data = page_data(admin_client.get(change_url(agency)))
    data["price"] = "250"  # $0.05 a credit: Creator's $0.03933… becomes the lowest
    assert admin_client.post(change_url(agency), data).status_code == 302

    row = _row(admin_client.get(sora), "720p", "seconds")
    assert "0.39333 74.6% 293.3% 0.50 80.0% 400.0%" in row


def test_a_cost_in_a_currency_without_a_rate_shows_the_missing_pair(admin_client: Client, demo):
    eur = Currency.objects.create(code="EUR", name="Euro")
    model = AIModel.objects.get(slug="kling-v2-5-turbo")
    cost = model.provider_costs.get()
    cost.currency = eur
    cost.save()

    row = _row(admin_client.get(change_url(model)), "default", "seconds")
    assert "0.07 EUR kling-v2-5-turbo / default / seconds: no exchange rate from EUR to USD" in row
    assert "No exchange rate" in row
    assert "%" not in row


def test_a_rate_whose_meter_has_no_cost_is_flagged_not_priced_at_zero(admin_client: Client, demo):
    model = AIModel.objects.get(slug="sora-2")
    f.credit_rate(model=model, meter=Meter.objects.get(slug="images"), credits=Decimal("5"), product=_video())

    row = _row(admin_client.get(change_url(model)), "720p", "images")
    assert row == "720p images openai 1 — — 5 — — — — — — — Missing cost"


def test_no_product_yet_says_what_to_add(admin_client: Client, db):
    model = f.ai_model()

    page = admin_client.get(change_url(model))
    assert page.status_code == 200
    assert "Margins need a product" in page.content.decode()


def test_credit_rate_list_shows_margins_per_variant(admin_client: Client, demo):
    page = admin_client.get(admin_url(CreditRate, "changelist"))

    sora_pro = _row(page, "Sora 2 Pro")
    assert "720p: 82.9% 1080p: 71.4%" in sora_pro  # gross margin at the basis, per variant
    assert "Below target" in sora_pro
    # WAN 2.1's 480p rate: 2 credits against $0.09 a second, a loss at $0.0358 and 10% at $0.05.
    assert _row(page, "WAN 2.1", "480p").endswith("0.09 USD −25.7% −20.4% 10.0% 11.1% 8 Loss Below target")


@pytest.mark.parametrize(
    ("flag", "listed"),
    [
        ("loss", ["wan-2-1 / 480p / seconds", "wan-2-1 / 720p / seconds"]),
        (
            "below_target",
            [
                "luma-ray-3 / all variants / seconds",
                "minimax-hailuo-02 / all variants / seconds",
                "mochi-1 / all variants / seconds",
                "sora-2-pro / all variants / seconds",
                "wan-2-1 / 480p / seconds",
                "wan-2-1 / 720p / seconds",
            ],
        ),
        ("missing_cost", []),
    ],
)
def test_credit_rate_list_filters_by_margin_flag(admin_client: Client, demo, flag, listed):
    page = admin_client.get(admin_url(CreditRate, "changelist"), {"margin": flag})

    assert sorted(_listed(page)) == listed


def test_model_and_variant_lists_show_worst_margin_and_filter(admin_client: Client, demo):
    models = admin_client.get(admin_url(AIModel, "changelist"), {"margin": "loss"})
    assert _listed(models) == ["WAN 2.1"]
    # Worst gross margin: WAN 2.1 720p, 5 credits against $0.25 a second: -39.7% at $0.0358, 0% at $0.05.
    assert "−39.7% 0.0% Loss Below target" in _row(models, "WAN 2.1")

    variants = admin_client.get(admin_url(Variant, "changelist"), {"margin": "below_target"})
    assert sorted(_listed(variants)) == [
        "luma-ray-3 / 4k",
        "minimax-hailuo-02 / 1080p",
        "mochi-1 / default",
        "sora-2-pro / 1080p",
        "wan-2-1 / 480p",
        "wan-2-1 / 720p",
    ]

    costed_not_sold = admin_client.get(admin_url(AIModel, "changelist"), {"margin": "no_rate"})
    assert "Claude 3.5 Sonnet" in _listed(costed_not_sold)
    assert "Sora 2" not in _listed(costed_not_sold)


def test_workflow_page_and_list_show_expected_cost_per_step(admin_client: Client, demo):
    """The coaching hour is costed in its own product's currency: TWD, at 32 TWD to the dollar."""
    coaching = Workflow.objects.get(slug="coaching-session-hour")
    page = admin_client.get(change_url(coaching))

    assert _row(page, "Speech to text").endswith("primary supplier 1 1 0.40 USD 12.80 TWD")
    assert _row(page, "Emotion calls: input") == (
        "Emotion calls: input (1,200 × 750 tokens) gemini-flash-lite-latest / default input_tokens primary supplier "
        "750 1,200 0.000075 USD 2.88 TWD"
    )
    assert _row(page, "Expected cost per session hour") == "Expected cost per session hour 18.773 TWD"
    assert "Coaching minutes (coaching): minutes, in TWD" in " ".join(page.content.decode().split())

    listed = admin_client.get(admin_url(Workflow, "changelist"))
    hour = _row(listed, "coaching-session-hour ")
    assert "18.773 TWD 24.9% 43.7% OK" in hour  # within the coaching target of 40%–50%
    assert "0.23546 USD" in _row(listed, "Complete project flow project Developer flows")


def test_a_prompt_shows_its_cost_band_beside_the_seeds_mid_range_figure(admin_client: Client, demo):
    """Seed 000 prices a prompt at "mid-range pricing": about 24.3 points, between 16.23 and 32.45."""
    prompt = Workflow.objects.get(slug="prompt-production")
    page = admin_client.get(change_url(prompt))

    expected = _row(page, "Expected cost per prompt")
    assert expected == "Expected cost per prompt 16.226–32.453 PTS mid-range 24.339 PTS"
    low, high, mid = (Decimal(text) for text in re.findall(r"\d+\.\d+", expected))
    assert abs(mid - (low + high) / 2) < Decimal("0.001")  # each shown to 5 significant digits
    assert mid.quantize(Decimal("0.1")) == Decimal("24.3")


@pytest.mark.parametrize(
    ("model", "flag"),
    [(AIModel, "below_target"), (Variant, "below_target"), (CreditRate, "below_target"), (Workflow, "ok")],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_margin_columns_cost_the_same_queries_for_a_bigger_catalogue(admin_client: Client, demo, model, flag):
    url = admin_url(model, "changelist")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(params):
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url, params).status_code == 200
        return len(queries)

    before = [count({}), count({"margin": flag})]
    seconds = Meter.objects.get(slug="seconds")
    for number in range(30):
        extra = f.ai_model(slug=f"extra-{number}")
        f.provider_cost(model=extra, meter=seconds)
        f.credit_rate(model=extra, meter=seconds, credits=Decimal(number + 1), product=_video())
        workflow = f.workflow(product=_video())
        f.workflow_step(workflow=workflow, model=extra, meter=seconds)

    assert [count({}), count({"margin": flag})] == before
