"""The margins dashboard at /admin/margins/, read the way ops staff read it:
the price table's cells, the links that sort and filter it, the charts."""

import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billingcfg.models import Currency, Product
from rates.models import AIModel, CreditRate, Meter, Provider, ProviderCost, Variant
from tests import factories
from tests.admin.pages import change_url

URL = "/admin/margins/"
# Columns of the price table, as its header lays them out.
MODEL, VARIANT, METER, COST, COST_REPORTING, CREDITS = range(6)
REVENUE_LOWEST, MARGIN_LOWEST, MARKUP_LOWEST, REVENUE_BASIS, MARGIN_BASIS, MARKUP_BASIS = range(6, 12)
SUGGESTED, FLAGS = 12, 13


class _Table(HTMLParser):
    """The body rows of the table with `table_id`, as lists of cell texts."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.depth, self.in_body = table_id, 0, False
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and (self.depth or attrs.get("id") == self.table_id):
            self.depth += 1
        elif self.depth and tag == "tbody":
            self.in_body = True
        elif self.depth and self.in_body and tag == "tr":
            self.rows.append([])
        elif self.depth and self.in_body and tag == "td":
            self.cell = []
        elif self.cell is not None and tag in {"br", "span"} and self.cell:
            self.cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif tag == "tbody":
            self.in_body = False
        elif tag == "td" and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table(client: Client, query: str = "", table_id: str = "price-table") -> list[list[str]]:
    response = client.get(URL + query)
    assert response.status_code == 200
    parser = _Table(table_id)
    parser.feed(response.content.decode())
    return parser.rows


def row_of(rows: list[list[str]], model: str, variant: str = "") -> list[str]:
    matches = [row for row in rows if row[MODEL] == model and row[VARIANT].startswith(variant)]
    assert len(matches) == 1, (model, variant, [row[:2] for row in rows])
    return matches[0]


def svg(page: str, svg_id: str) -> str:
    match = re.search(rf'<svg[^>]*id="{re.escape(svg_id)}".*?</svg>', page, re.S)
    assert match, f"no chart {svg_id}"
    return match.group(0)


def staff(*permissions: str) -> User:
    user = User.objects.create_user("ops", password="pw", is_staff=True)
    for name in permissions:
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user


# ---- getting there ---------------------------------------------------------------------


def test_the_admin_index_links_to_margins(admin_client: Client, demo: object) -> None:
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("margins")}"' in page
    assert ">Margins</a>" in page


def test_the_page_is_an_admin_page_with_breadcrumbs(admin_client: Client, demo: object) -> None:
    page = admin_client.get(URL).content.decode()
    assert "<title>Margins | " in page
    assert re.search(
        r'<ol class="breadcrumbs">\s*<li><a href="/admin/">Home</a></li>\s*'
        r'<li aria-current="page">Margins</li>',
        page,
    )
    assert "Pricing control room" not in page  # not the index


def test_staff_without_the_credit_rate_permission_get_403_and_no_link(client: Client, demo: object) -> None:
    client.force_login(staff())
    assert client.get(URL).status_code == 403
    assert reverse("margins") not in client.get(reverse("admin:index")).content.decode()


def test_staff_who_may_view_credit_rates_see_it(client: Client, demo: object) -> None:
    client.force_login(staff("rates.view_creditrate"))
    assert client.get(URL).status_code == 200
    assert f'href="{reverse("margins")}"' in client.get(reverse("admin:index")).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client: Client, demo: object) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_without_a_pricing_policy_the_page_says_what_to_add(admin_client: Client, db: None) -> None:
    page = admin_client.get(URL).content.decode()
    assert "Margins need a product" in page
    assert reverse("admin:billingcfg_product_add") in page


# ---- the figures -----------------------------------------------------------------------


def test_headline_figures(admin_client: Client, demo: object) -> None:
    page = admin_client.get(URL).content.decode()
    headline = re.search(r'<section class="headline".*?</section>', page, re.S).group(0)
    text = " ".join(re.sub(r"<[^>]+>", " ", headline).split())
    assert "Reporting currency USD" in text
    assert "Target margin 75.0%" in text
    assert "lowest 0.0358 USD highest 0.06 USD mean 0.0484 USD basis (fixed) 0.05 USD" in text
    assert "Loss 2" in text


def test_sora_2_earns_80_percent_gross_margin_and_400_percent_markup_at_the_basis(
    admin_client: Client, demo: object
) -> None:
    """Seed 003: 10 credits a second at $0.05 earn $0.50 against $0.10 of cost."""
    sora = row_of(table(admin_client), "Sora 2")
    assert sora[COST] == "0.10 USD"
    assert sora[CREDITS] == "10"
    assert sora[REVENUE_BASIS] == "0.50"
    assert sora[MARGIN_BASIS] == "80.0%"
    assert sora[MARKUP_BASIS] == "400.0%"
    assert sora[MARGIN_LOWEST] == "72.1%"
    assert sora[FLAGS] == ""
    sora_page = change_url(AIModel.objects.get(slug="sora-2"))
    assert f'<a href="{sora_page}">Sora 2</a>' in admin_client.get(URL).content.decode()


def test_wan_2_1_rows_are_flagged_loss(admin_client: Client, demo: object) -> None:
    rows = table(admin_client)
    for variant, margin in (("480p", "−25.7%"), ("720p", "−39.7%")):
        wan = row_of(rows, "WAN 2.1", variant)
        assert wan[MARGIN_LOWEST] == margin
        assert "Loss" in wan[FLAGS]
        assert "Below target" in wan[FLAGS]
    page = admin_client.get(URL).content.decode()
    assert re.search(r'<td class="num gm lowest loss">−39.7%</td>', page)  # drawn red


def test_a_price_band_shows_both_ends(admin_client: Client, demo: object) -> None:
    """Mochi 1 costs $0.05–0.20 a second: margins read at the high end, to the low end."""
    mochi = row_of(table(admin_client), "Mochi 1")
    assert mochi[COST] == "0.05–0.20 USD"
    assert mochi[MARGIN_BASIS] == "60.0% to 90.0%"
    assert mochi[MARKUP_BASIS] == "150.0% to 900.0%"


def test_suggested_credits_reach_the_target(admin_client: Client, demo: object) -> None:
    """WAN 2.1 720p costs $0.25 a second: 20 credits at $0.05 leave 75%."""
    assert row_of(table(admin_client), "WAN 2.1", "720p")[SUGGESTED] == "20"


def test_sorting_by_margin_at_the_basis(admin_client: Client, demo: object) -> None:
    ascending = table(admin_client, "?o=margin_basis")
    assert ascending[0][:2] == ["WAN 2.1", "720p (WAN Pro)"]
    assert ascending[1][:2] == ["WAN 2.1", "480p (WAN Draft)"]
    descending = table(admin_client, "?o=-margin_basis")
    assert descending[0][MARGIN_BASIS] == "86.0%"
    assert descending[-1][:2] == ["WAN 2.1", "720p (WAN Pro)"]


def test_sorting_by_margin_at_the_lowest_price_and_by_model(admin_client: Client, demo: object) -> None:
    assert table(admin_client, "?o=margin_lowest")[0][:2] == ["WAN 2.1", "720p (WAN Pro)"]
    models = [row[MODEL] for row in table(admin_client, "?o=model")]
    assert models == sorted(models, key=str.lower)


def test_the_header_links_sort_and_flip(admin_client: Client, demo: object) -> None:
    page = admin_client.get(URL + "?o=margin_basis").content.decode()
    assert 'href="?o=-margin_basis#prices"' in page  # clicking again sorts descending
    assert 'href="?o=margin_lowest#prices"' in page
    assert 'href="?o=model#prices"' in page
    assert "<script" not in page.split('id="content-main"')[1]


def test_the_loss_filter_shows_only_loss_rows(admin_client: Client, demo: object) -> None:
    rows = table(admin_client, "?flag=loss")
    assert [row[MODEL] for row in rows] == ["WAN 2.1", "WAN 2.1"]
    assert all("Loss" in row[FLAGS] for row in rows)
    page = admin_client.get(URL + "?flag=loss&o=margin_basis").content.decode()
    assert 'href="?o=margin_basis&amp;flag=below_target#prices"' in page  # the sort is kept
    assert re.search(r'class="filter current loss" aria-current="true">Loss <span class="count">2</span>', page)


def test_the_below_target_filter(admin_client: Client, demo: object) -> None:
    rows = table(admin_client, "?flag=below_target")
    assert len(rows) == 6
    assert all("Below target" in row[FLAGS] for row in rows)


def test_an_unknown_filter_or_sort_shows_everything_in_catalogue_order(admin_client: Client, demo: object) -> None:
    assert table(admin_client, "?flag=nonsense&o=price") == table(admin_client)


def test_a_changed_credit_rate_shows_its_new_margin(admin_client: Client, demo: object) -> None:
    """WAN 2.1 720p at 25 credits instead of 5: $1.25 against $0.25 of cost."""
    rate = CreditRate.objects.get(model__slug="wan-2-1", variant__slug="720p")
    rate.credits = Decimal("25")
    rate.save()
    wan = row_of(table(admin_client), "WAN 2.1", "720p")
    assert wan[CREDITS] == "25"
    assert wan[MARGIN_BASIS] == "80.0%"
    assert wan[MARKUP_BASIS] == "400.0%"
    assert "Loss" not in wan[FLAGS]


def test_workflows_show_expected_cost_and_margins(admin_client: Client, demo: object) -> None:
    """The coaching hour at the coaching product's own credit: 43.7% at its basis, inside its 40%–50% target."""
    rows = {row[0]: row for row in table(admin_client, "?product=coaching", table_id="workflow-table")}
    coaching = rows["Coaching session hour"]
    assert coaching[3] == "18.77"  # expected cost of one session hour, TWD
    assert coaching[4] == "60"
    assert "43.7%" in coaching
    assert "80.4%" not in coaching  # what it showed priced at the video credit
    flows = {row[0]: row for row in table(admin_client, "?product=dev-flows", table_id="workflow-table")}
    assert "internal: costed, not sold in credits" in flows["PRD generation"]
    assert "PRD generation" not in {row[0] for row in table(admin_client, table_id="workflow-table")}


def test_costed_not_sold_lists_models_without_a_credit_rate(admin_client: Client, demo: object) -> None:
    page = admin_client.get(URL).content.decode()
    unsold = re.search(r'<section class="module" id="unsold">.*?</section>', page, re.S).group(0)
    # Models no product sells or uses, with the credits that would reach the video product's target.
    assert "Costed, not sold (5)" in unsold
    assert "Kling v2.5 Turbo" in unsold
    assert "Seconds: 0.07 USD per second → 6 credits at target" in unsold
    assert "Sora 2<" not in unsold
    assert "Claude 3 Haiku" not in unsold  # the developer flows use it


def test_problems_name_missing_costs_and_exchange_rates(admin_client: Client, demo: object) -> None:
    sora = AIModel.objects.get(slug="sora-2")
    CreditRate.objects.create(
        product=Product.objects.get(is_default=True),
        model=sora,
        meter=Meter.objects.get(slug="images"),
        credits=Decimal("5"),
    )
    gold = Currency.objects.create(code="XAU", name="Gold")
    veo = AIModel.objects.get(slug="veo-3-1")
    ProviderCost.objects.create(
        model=veo,
        supplier=veo.supplier,
        meter=Meter.objects.get(slug="requests"),
        price=Decimal("1"),
        currency=gold,
        as_of=date(2025, 1, 1),
    )
    CreditRate.objects.create(
        product=Product.objects.get(is_default=True),
        model=veo,
        meter=Meter.objects.get(slug="requests"),
        credits=Decimal("5"),
    )
    page = admin_client.get(URL).content.decode()
    problems = re.search(r'<section class="module problems" id="problems">.*?</section>', page, re.S).group(0)
    assert "Problems (2)" in problems
    assert (
        "Missing cost</span> sora-2 / 720p / images: charged in credits but no provider cost from openai is known"
    ) in problems
    assert re.search(r"Missing exchange rate</span> veo-3-1 / [\w-]+ / requests: .*XAU", problems)
    missing = table(admin_client, "?flag=missing_cost")
    assert [(row[MODEL], row[METER], row[MARGIN_BASIS]) for row in missing] == [("Sora 2", "Images", "—")]


def test_a_price_that_cannot_be_priced_is_named_as_such(admin_client: Client, demo: object) -> None:
    """Tiers that mix cliff and graduated are no missing cost: the price exists but cannot be read."""
    veo = AIModel.objects.get(slug="veo-3")
    seconds = Meter.objects.get(slug="seconds")
    usd = Currency.objects.get(code="USD")
    for threshold, mode in ((10, "cliff"), (20, "graduated")):
        ProviderCost.objects.create(
            model=veo,
            supplier=veo.supplier,
            variant=veo.variants.get(slug="no-audio"),
            meter=seconds,
            price=Decimal("1"),
            currency=usd,
            tier_threshold=threshold,
            tier_mode=mode,
            as_of=date(2025, 1, 1),
        )
    page = admin_client.get(URL).content.decode()
    problems = re.search(r'<section class="module problems" id="problems">.*?</section>', page, re.S).group(0)
    assert (
        "Cannot price</span> veo-3 / no-audio / seconds: tiers mix cliff and graduated; use one mode per meter"
    ) in problems
    assert "Missing cost</span> veo-3" not in problems


def test_names_are_escaped_in_the_table_and_the_charts(admin_client: Client, demo: object) -> None:
    model = factories.ai_model(name='<b onmouseover="x">Evil</b>')
    meter = Meter.objects.get(slug="seconds")
    factories.provider_cost(model=model, meter=meter, price=Decimal("0.10"), currency=Currency.objects.get(code="USD"))
    factories.credit_rate(model=model, meter=meter, credits=Decimal("10"), product=Product.objects.get(is_default=True))
    page = admin_client.get(URL).content.decode()
    assert "<b onmouseover" not in page
    assert "&lt;b onmouseover=&quot;x&quot;&gt;Evil&lt;/b&gt;" in svg(page, "margin-svg")
    assert row_of(table(admin_client), '<b onmouseover="x">Evil</b>')[MARGIN_BASIS] == "80.0%"


# ---- the charts ------------------------------------------------------------------------


def test_the_margin_chart_has_bars_against_the_target_line(admin_client: Client, demo: object) -> None:
    chart = svg(admin_client.get(URL).content.decode(), "margin-svg")
    assert re.search(r'<line x1="([\d.]+)" y1="[\d.]+" x2="\1" y2="[\d.]+" class="target"/>', chart)
    assert ">target 75.0%</text>" in chart
    assert ">WAN 2.1 · 720p (WAN Pro)</text>" in chart
    assert re.search(
        r'class="bar lowest loss"><title>WAN 2.1 · 720p \(WAN Pro\), at the lowest credit price '
        r"\(0.0358 USD\): −39.7%</title>",
        chart,
    )
    assert ">80.0%</text>" in chart  # Sora 2 at the basis
    assert ">gross margin = (revenue − cost) / revenue, at the cost band&#x27;s high end</text>" in chart
    assert 'viewBox="0 0 1180' in chart  # coordinates are not localized ("1,180")


def test_the_revenue_chart_has_a_bar_per_offer_and_the_reference_lines(admin_client: Client, demo: object) -> None:
    """One product's chart shows its own offers only, in its own currency."""
    chart = svg(admin_client.get(URL).content.decode(), "revenue-svg")
    for label in ("lowest 0.0358 USD", "mean 0.0484 USD", "basis 0.05 USD (fixed)"):
        assert f">{label}</text>" in chart
    assert ">Pack · Starter</text>" in chart
    assert "Coaching" not in chart and "TWD" not in chart
    assert 'class="bar offer muted"' not in chart  # the coaching plans are active, in their own product

    coaching = svg(admin_client.get(URL + "?product=coaching").content.decode(), "revenue-svg")
    assert coaching.count('class="bar offer offer"') == 3
    assert ">Plan · Coaching Basic</text>" in coaching
    assert "Starter" not in coaching and "USD" not in coaching


def test_the_coach_basic_chart_marks_break_even_near_320_credits(admin_client: Client, demo: object) -> None:
    """Seed 002: the 100 TWD plan breaks even at ≈ 320 minutes a month."""
    page = admin_client.get(URL + "?product=coaching").content.decode()
    chart = svg(page, "plan-svg-coach-basic")
    assert re.search(r'<circle cx="[\d.]+" cy="[\d.]+" r="5" class="break-even">', chart)
    assert ">break-even ≈ 320 credits</text>" in chart
    assert ">= 5.33 session hours a month</text>" in chart
    assert ">180 credits included</text>" in chart
    assert 'class="series without-overage"' in chart
    assert 'class="series with-overage"' in chart
    assert ">with overage (0.80 TWD/credit)</text>" in chart
    assert ">target 40.0%</text>" in chart  # the coaching product's own target, the low end of 40%–50%
    assert "320 credits (5.33 session hours)" in page  # in the plan's figures too
    assert svg(page, "plan-svg-coach-pro")


# ---- queries ---------------------------------------------------------------------------


def _count(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def _add_models(count: int) -> None:
    """`count` more sold models, each with two variants, a cost per variant and a rate."""
    provider = Provider.objects.create(slug="bulk", name="Bulk")
    seconds = Meter.objects.get(slug="seconds")
    usd = Currency.objects.get(code="USD")
    for n in range(count):
        model = AIModel.objects.create(slug=f"bulk-{n}", name=f"Bulk {n}", provider=provider, modality="video")
        for slug, price in (("720p", "0.10"), ("1080p", "0.30")):
            variant = Variant.objects.create(model=model, slug=slug, name=slug, is_default=slug == "720p")
            ProviderCost.objects.create(
                model=model,
                supplier=model.supplier,
                variant=variant,
                meter=seconds,
                price=Decimal(price),
                currency=usd,
                as_of=date(2025, 1, 1),
            )
        CreditRate.objects.create(
            product=Product.objects.get(is_default=True), model=model, meter=seconds, credits=Decimal("8")
        )


def test_the_query_count_does_not_grow_with_the_catalogue(
    admin_client: Client, demo: object, django_assert_max_num_queries
) -> None:
    """One snapshot of the draft (a query per table) plus the session and the user."""
    demo_count = _count(admin_client)
    with django_assert_max_num_queries(20):
        admin_client.get(URL)
    _add_models(50)
    assert len(table(admin_client)) == 15 + 100
    assert _count(admin_client) == demo_count
    with django_assert_max_num_queries(demo_count):
        admin_client.get(URL + "?o=margin_basis&flag=loss")


def test_the_query_count_for_staff_with_the_permission(client: Client, demo: object) -> None:
    client.force_login(staff("rates.view_creditrate"))
    before = _count(client)
    _add_models(20)
    assert _count(client) == before
    assert Product.objects.exists()


def test_a_big_catalogue_pages_the_table_and_charts_the_lowest_margins(
    admin_client: Client, demo: object, monkeypatch
) -> None:
    from billingcfg.admin import dashboard

    monkeypatch.setattr(dashboard, "PAGE_SIZE", 10)
    monkeypatch.setattr(dashboard, "MARGIN_CHART_LIMIT", 5)

    first = table(admin_client, "?o=margin_basis")
    second = table(admin_client, "?o=margin_basis&page=2")
    page = admin_client.get(URL + "?o=margin_basis&page=2").content.decode()

    assert len(first) == 10 and len(second) == 5  # 15 priced rows
    assert first[0][MODEL] == "WAN 2.1" and first[0][VARIANT].startswith("720p")
    assert "Rows 11–15 of 15" in page
    assert 'href="?o=margin_basis&amp;page=1#prices"' in page
    assert "The 5 lowest of 15; the table below lists them all." in page
    assert svg(page, "margin-svg").count('class="row-label"') == 5
    assert table(admin_client, "?page=99") == table(admin_client, "?page=2")  # out of range: the last page
