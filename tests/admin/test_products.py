"""Products on the admin's screens: the product list, margins per product on the
model, credit-rate, workflow and list pages (each at its own revenue per credit, in
its own currency, against its own target), the dashboard's product switcher and
all-products overview, stale costs, and the rules that keep a row in its product."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from billingcfg.models import AlertThreshold, RevenueBasis, Scope
from plans.models import SubscriptionPlan
from rates.models import AIModel, CreditRate, Workflow, WorkflowStep
from tests import factories as f
from tests.admin.pages import add_row, admin_url, change_url, page_data, shown_errors, table_rows

DASHBOARD = "/admin/margins/"
PUBLISH = "/admin/billingcfg/release/publish/"


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _section(response, product: str) -> str:
    """The model page's margin block of one product, as text."""
    found = re.search(
        rf'<section class="product-margins"[^>]*data-product="{product}">.*?</section>', response.content.decode(), re.S
    )
    assert found, f"no margins of {product}"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(0)).split())


@pytest.fixture
def two(db):
    """One model sold by two products: video (the default, 0.05 USD a credit, 75 %) costed
    on the vendor at 0.30 USD a second, coaching (0.02 USD a minute-credit, 40–45 %)
    costed on a gateway at 0.10 USD; both charge 10 credits a second."""
    seconds = f.meter(slug="seconds", name="Seconds", unit="second")
    vendor = f.provider(slug="vendor", name="Vendor")
    gateway = f.provider(slug="gateway", name="Gateway")
    model = f.ai_model(slug="clip", name="Clip", provider=vendor)
    f.provider_cost(model=model, meter=seconds, price=Decimal("0.30"), supplier=vendor)
    f.provider_cost(model=model, meter=seconds, price=Decimal("0.10"), supplier=gateway)
    video = f.policy(name="Video", revenue_basis=RevenueBasis.FIXED, fixed_revenue_per_credit=Decimal("0.05"))
    coaching = f.product(
        slug="coaching",
        name="Coaching",
        credit_name="minutes",
        revenue_basis=RevenueBasis.FIXED,
        fixed_revenue_per_credit=Decimal("0.02"),
        target_gross_margin=Decimal("0.40"),
        target_gross_margin_high=Decimal("0.45"),
        sort_order=1,
    )
    f.credit_rate(model=model, meter=seconds, credits=Decimal("10"), product=video)
    f.credit_rate(model=model, meter=seconds, credits=Decimal("10"), product=coaching, supplier=gateway)
    return {"video": video, "coaching": coaching, "model": model, "seconds": seconds, "gateway": gateway}


def test_the_product_list_shows_the_target_range_currency_credit_and_what_it_sells(admin_client: Client, two):
    coaching = two["coaching"]
    f.plan(product=coaching, currency=f.usd())

    page = admin_client.get(admin_url(type(coaching), "changelist"))

    row = next(row for row in table_rows(page) if row.startswith("Coaching "))
    assert "minutes USD 40.0%–45.0%" in row
    assert "1 plan · 1 credit rate · 0 workflows" in row
    plans = reverse("admin:plans_subscriptionplan_changelist") + f"?product__id__exact={coaching.pk}"
    assert f'href="{plans}"' in page.content.decode()
    assert [str(plan.product) for plan in admin_client.get(plans).context["cl"].result_list] == [str(coaching)]


def test_a_model_page_shows_each_products_margins_at_its_own_credit(admin_client: Client, two):
    page = admin_client.get(change_url(two["model"]))

    video = _section(page, "default")
    assert "Video (default)" in video
    assert "judged against its target of 75.0%" in video
    assert "costed on vendor" in video
    # 10 credits at 0.05 USD against 0.30 USD from the vendor: 40 %, below the 75 % target.
    assert "seconds vendor 1 0.30 USD 0.30 10" in video
    assert "0.50 40.0% 66.7% 24 Below target" in video

    coaching = _section(page, "coaching")
    assert "sells minutes and reports in USD" in coaching
    assert "judged against its target of 40.0%–45.0% (met inside the range" in coaching
    assert "costed on gateway" in coaching
    # 10 credits at 0.02 USD against 0.10 USD from the gateway: 50 %, above the range, shown, not a problem.
    assert "seconds gateway 1 0.10 USD 0.10 10" in coaching
    assert "0.20 50.0% 100.0%" in coaching
    assert "Above target range" in coaching
    assert "Below target" not in coaching


def test_a_model_used_by_no_product_shows_its_costs_at_the_default_products_credit(admin_client: Client, two):
    unsold = f.ai_model(slug="unsold", name="Unsold")
    f.provider_cost(model=unsold, meter=two["seconds"], price=Decimal("0.10"))

    text = _text(admin_client.get(change_url(unsold)))

    assert "No product sells this model or uses it in a workflow yet" in text
    assert "No credit rate" in text
    assert "8 No credit rate" in text  # 0.10 USD at 0.05 a credit reaches 75 % at 8 credits


def test_the_credit_rate_list_judges_each_rate_in_its_own_product(admin_client: Client, two):
    url = admin_url(CreditRate, "changelist")

    listed = admin_client.get(url)
    rows = table_rows(listed)
    assert any(row.startswith("Video Clip") and "40.0%" in row and "Below target" in row for row in rows), rows
    assert any(row.startswith("Coaching Clip") and "gateway" in row and "50.0%" in row for row in rows), rows

    below = admin_client.get(url, {"margin": "below_target"}).context["cl"].result_list
    assert [rate.product.slug for rate in below] == ["default"]
    coaching_only = admin_client.get(url, {"product__id__exact": two["coaching"].pk}).context["cl"].result_list
    assert [rate.product.slug for rate in coaching_only] == ["coaching"]


def test_the_model_list_shows_the_worst_margin_in_each_product(admin_client: Client, two):
    rows = table_rows(admin_client.get(admin_url(AIModel, "changelist")))

    clip = next(row for row in rows if row.startswith("Clip"))
    assert "default: 40.0% coaching: 50.0%" in clip
    assert "Below target" in clip and "Above target range" in clip


def test_a_workflow_page_is_costed_in_its_own_product(admin_client: Client, two):
    flow = f.workflow(product=two["coaching"], name="Lesson", credits_per_unit=Decimal("10"))
    f.workflow_step(workflow=flow, model=two["model"], meter=two["seconds"], supplier=two["gateway"])

    text = _text(admin_client.get(change_url(flow)))

    assert "Coaching (coaching): minutes, in USD" in text
    assert "target gross margin 40.0%–45.0% (met inside the range)" in text
    assert "Transcription clip / default seconds gateway 3,600 1 360.00 USD 360.00 USD" in text
    listed = admin_client.get(admin_url(Workflow, "changelist"), {"product__id__exact": two["coaching"].pk})
    assert [workflow.slug for workflow in listed.context["cl"].result_list] == [flow.slug]


def test_packs_and_plans_lists_name_and_filter_their_product(admin_client: Client, two):
    f.credit_pack(product=two["video"], name="Starter")
    f.plan(product=two["coaching"], name="Coach basic")

    packs = table_rows(admin_client.get(admin_url(type(f.credit_pack(product=two["video"])), "changelist")))
    assert any(row.startswith("Starter") and " Video " in row for row in packs)
    plans = admin_client.get(admin_url(SubscriptionPlan, "changelist"), {"product__id__exact": two["video"].pk})
    assert list(plans.context["cl"].result_list) == []


# ---- rows kept in their product, refused where they are made ----------------------------


def test_a_rate_costed_on_a_supplier_without_a_cost_is_refused_on_its_page(admin_client: Client, two):
    stranger = f.provider(slug="stranger")
    rate = CreditRate.objects.get(product=two["video"])
    data = page_data(admin_client.get(change_url(rate)))
    data["supplier"] = str(stranger.pk)

    response = admin_client.post(change_url(rate), data)

    assert response.status_code == 200
    assert "'stranger' has no cost for 'clip': add its cost first." in shown_errors(response)
    assert CreditRate.objects.get(pk=rate.pk).supplier is None


def test_a_rate_costed_on_a_supplier_without_a_cost_is_refused_on_the_model_page(admin_client: Client, two):
    stranger = f.provider(slug="stranger")
    page = admin_client.get(change_url(two["model"]))
    data = page_data(page)
    add_row(
        data,
        "credit_rates",
        {
            "product": str(two["coaching"].pk),
            "variant": str(two["model"].variants.get().pk),
            "meter": str(two["seconds"].pk),
            "supplier": str(stranger.pk),
            "credits": "5",
            "per_units": "1",
            "minimum_charge": "0",
            "active": "on",
        },
    )

    response = admin_client.post(change_url(two["model"]), data)

    assert response.status_code == 200
    assert "'stranger' has no cost for 'clip': add its cost first." in shown_errors(response)
    assert CreditRate.objects.count() == 2


def test_a_workflow_step_costed_on_a_supplier_without_a_cost_is_refused(admin_client: Client, two):
    flow = f.workflow(product=two["coaching"])
    stranger = f.provider(slug="stranger")
    data = page_data(admin_client.get(change_url(flow)))
    add_row(
        data,
        "steps",
        {
            "position": "1",
            "label": "Call",
            "model": str(two["model"].pk),
            "meter": str(two["seconds"].pk),
            "supplier": str(stranger.pk),
            "quantity": "1",
            "probability": "1",
            "multiplier": "1",
        },
    )

    response = admin_client.post(change_url(flow), data)

    assert response.status_code == 200
    assert "'stranger' has no cost for 'clip': add its cost first." in shown_errors(response)
    assert not WorkflowStep.objects.exists()


def test_a_plan_costed_on_another_products_workflow_is_refused(admin_client: Client, two):
    flow = f.workflow(product=two["coaching"], slug="lesson")
    plan = f.plan(product=two["video"])
    data = page_data(admin_client.get(change_url(plan)))
    data["usage_workflow"] = str(flow.pk)

    response = admin_client.post(change_url(plan), data)

    assert response.status_code == 200
    assert "Workflow 'lesson' belongs to another product." in shown_errors(response)
    assert SubscriptionPlan.objects.get(pk=plan.pk).usage_workflow is None


def test_a_threshold_watching_another_products_plan_is_refused(admin_client: Client, two):
    plan = f.plan(product=two["coaching"], slug="coach-basic")
    threshold = f.threshold(product=two["video"])
    data = page_data(admin_client.get(change_url(threshold)))
    data.update({"scope": Scope.PLAN, "plan": str(plan.pk)})

    response = admin_client.post(change_url(threshold), data)

    assert response.status_code == 200
    assert "Plan 'coach-basic' belongs to another product." in shown_errors(response)
    assert AlertThreshold.objects.get(pk=threshold.pk).plan is None


# ---- the dashboard and the Publish page ---------------------------------------------------


def test_the_dashboard_shows_one_product_at_a_time_and_a_line_for_each(admin_client: Client, two):
    default = admin_client.get(DASHBOARD)
    assert 'data-product="default">Video' in default.content.decode()
    assert re.search(r'<strong class="current" aria-current="page">Video</strong>', default.content.decode())

    coaching = admin_client.get(DASHBOARD, {"product": "coaching"})
    text = _text(coaching)
    assert "Coaching (coaching, sells minutes, reports in USD, target 40.0%–45.0%, met inside the range)" in text
    prices = re.search(r'<table[^>]*id="price-table".*?</table>', coaching.content.decode(), re.S).group(0)
    assert "50.0%" in prices and "40.0%" not in prices  # only coaching's row, at its own credit

    overview = re.search(r'<section class="module" id="all-products">.*?</section>', coaching.content.decode(), re.S)
    lines = [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr data-product.*?</tr>", overview.group(0), re.S)
    ]
    assert lines[0].startswith("Video credits USD 75.0% — 0.05 USD (fixed) 40.0% 1 1 0")
    assert lines[1].startswith("Coaching minutes USD 40.0%–45.0% — 0.02 USD (fixed) 50.0% 1 0 0")


def test_an_unknown_product_on_the_dashboard_says_so_and_shows_the_default(admin_client: Client, two):
    text = _text(admin_client.get(DASHBOARD, {"product": "nope"}))

    assert "There is no product “nope”: showing Video, the default product." in text


def test_stale_costs_are_flagged_on_the_dashboard_and_the_publish_page(admin_client: Client, two, settings):
    settings.COST_STALE_DAYS = 30
    fresh = f.ai_model(slug="fresh")
    f.provider_cost(model=fresh, meter=two["seconds"], as_of=date.today())

    dashboard = _text(admin_client.get(DASHBOARD))
    assert "Stale costs (1)" in dashboard  # the vendor's cost video is priced on
    assert "provider cost clip / all variants / seconds, from vendor: read as of 2025-10-01" in dashboard
    assert "older than 30 days" in dashboard

    publish = admin_client.get(PUBLISH)
    stale = re.search(r'<section class="module" id="stale-costs">.*?</section>', publish.content.decode(), re.S)
    rows = [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr class=\"stale-row\">.*?</tr>", stale.group(0), re.S)
    ]
    assert len(rows) == 2  # both suppliers' costs of clip; the fresh one is not listed
    assert all("stale_cost" in row for row in rows)
    assert not any("fresh" in row for row in rows)


def test_the_publish_page_shows_the_diff_per_product(admin_client: Client, two):
    page = admin_client.get(PUBLISH)
    content = page.content.decode()

    assert 'id="diff-prices-default"' in content
    assert 'id="diff-prices-coaching"' in content
    assert "Coaching <small>(coaching, in USD, added)</small>" in content
    warnings = re.search(r'<section class="module" id="warnings">.*?</section>', content, re.S).group(0)
    assert "Video (default) (1)" in warnings
    assert "product &#x27;default&#x27;: price clip" in warnings


def test_the_demos_gemini_2_5_flash_shows_the_coaching_and_the_prompt_products(admin_client: Client, demo):
    """Bought from Google by the coaching app and from a CNY gateway by the prompt pipeline:
    each product's block at its own credit, in its own currency, on its own supplier."""
    page = admin_client.get(change_url(AIModel.objects.get(slug="gemini-2-5-flash")))

    coaching = _section(page, "coaching")
    assert "sells minutes and reports in TWD" in coaching
    assert "judged against its target of 40.0%–50.0%" in coaching
    assert "costed on google" in coaching
    assert "input_tokens google 1,000,000 0.30 USD" in coaching
    prompts = _section(page, "sora-prompts")
    assert "sells points and reports in PTS" in prompts
    assert "costed on gateway" in prompts
    assert "input_tokens gateway 1,000,000 0.30–0.60 CNY" in prompts
    assert 'data-product="video"' not in page.content.decode()


def test_a_credit_rate_or_plan_without_a_product_is_refused(admin_client: Client, two):
    """A new row starts in the default product; emptied, the page names the field and writes nothing."""
    for model in (CreditRate, SubscriptionPlan):
        page = admin_client.get(admin_url(model, "add"))
        data = page_data(page)
        assert data["product"] == str(two["video"].pk)
        data["product"] = ""
        before = model.objects.count()

        response = admin_client.post(admin_url(model, "add"), data)

        assert response.status_code == 200
        assert response.context["adminform"].form.errors["product"] == ["This field is required."]
        assert model.objects.count() == before
