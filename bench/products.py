"""Benchmark: publishing 20 products over 5,000 variants, and serving one product's
configuration with 1 product and with 20.

    make bench            # or: .venv/bin/python bench/products.py [--variants N] [--products N]

Runs on a throwaway SQLite database (or DATABASE_URL if set to a scratch
database: it is flushed). Generated catalogue: models of 5 variants each, a
per-second cost per variant from one supplier, and each model sold by one
product (a credit rate for all its variants and a credit pack per product).

Prints, in three steps (1 product over a fifth of the variants; the same rows
split over N products; N products over every variant): the time and query
count of publishing (`release_publish`: validate every product, compute each
one's margins, store the release and one document per product), and of
GET /api/v1/products/<slug>/config/ for the first product with a key scoped to
it (first call after publishing, again, and a 304 with If-None-Match); then
whether each query count stays the same from step to step.
"""

import argparse
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PER_MODEL = 5
LIMIT_SECONDS = 5.0  # the issue's budget for publishing 20 products over 5,000 variants


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "billingcfg.settings_test")
    if "DATABASE_URL" not in os.environ:
        folder = tempfile.mkdtemp(prefix="bench-products-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("flush", verbosity=0, interactive=False)


def _measured(function, cpu: list | None = None):
    """(seconds, result, queries) of one call; its CPU seconds (this process's) appended to `cpu`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started, started_cpu = time.perf_counter(), time.process_time()
        result = function()
        elapsed = time.perf_counter() - started
        if cpu is not None:
            cpu.append(time.process_time() - started_cpu)
    return elapsed, result, len(captured)


def base() -> None:
    """A currency, a meter, a supplier and the first product (the default)."""
    from billingcfg.models import Currency, Product
    from rates.models import Meter, Provider

    usd = Currency.objects.create(code="USD", name="US dollar", symbol="$", minor_units=2)
    Meter.objects.create(slug="seconds", name="Seconds", unit="second")
    Provider.objects.create(slug="bench", name="Bench supplier")
    Product.objects.create(
        slug="p00",
        name="Product 0",
        reporting_currency=usd,
        target_gross_margin=Decimal("0.5"),
        revenue_basis="lowest",
        is_default=True,
        sort_order=0,
    )


def add_products(count: int) -> None:
    """Products p01 … up to `count` in all, each with a credit pack (its revenue per credit)."""
    from billingcfg.models import Currency, Product
    from plans.models import CreditPack

    usd = Currency.objects.get(code="USD")
    have = Product.objects.count()
    Product.objects.bulk_create(
        Product(
            slug=f"p{n:02}",
            name=f"Product {n}",
            reporting_currency=usd,
            target_gross_margin=Decimal("0.5"),
            revenue_basis="lowest",
            sort_order=n,
        )
        for n in range(have, count)
    )
    CreditPack.objects.bulk_create(
        CreditPack(
            slug=f"pack-{product.slug}", name="Pack", product=product, currency=usd, price=Decimal(10), credits=200
        )
        for product in Product.objects.filter(creditpacks__isnull=True)
    )


def add_variants(variants: int) -> None:
    """`variants` more variants (models of 5), a cost per variant, a rate per model; the
    models dealt round the products in turn."""
    from billingcfg.models import Currency, Product
    from rates.models import AIModel, CreditRate, Meter, Provider, ProviderCost, Variant

    usd, seconds = Currency.objects.get(code="USD"), Meter.objects.get(slug="seconds")
    supplier = Provider.objects.get(slug="bench")
    products = list(Product.objects.order_by("sort_order"))
    start = AIModel.objects.count()
    models = AIModel.objects.bulk_create(
        AIModel(slug=f"bench-{n}", name=f"Bench {n}", provider=supplier, modality="video")
        for n in range(start, start + variants // PER_MODEL)
    )
    rows = Variant.objects.bulk_create(
        Variant(model=model, slug=f"v{k}", name=f"V{k}", is_default=k == 0, sort_order=k)
        for model in models
        for k in range(PER_MODEL)
    )
    costs = [
        ProviderCost(
            model_id=variant.model_id,
            variant=variant,
            meter=seconds,
            supplier=supplier,
            price=Decimal(index % 9 + 1) / 100,
            currency=usd,
            as_of="2026-01-01",
        )
        for index, variant in enumerate(rows)
    ]
    rates = [
        CreditRate(product=products[(start + n) % len(products)], model=model, meter=seconds, credits=Decimal(10))
        for n, model in enumerate(models)
    ]
    ProviderCost.objects.bulk_create(costs)
    CreditRate.objects.bulk_create(rates)


def deal_rates() -> None:
    """Every model's rate moved to the product its number deals it to (after products were added)."""
    from billingcfg.models import Product
    from rates.models import CreditRate

    products = list(Product.objects.order_by("sort_order"))
    rates = list(CreditRate.objects.select_related("model"))
    for rate in rates:
        rate.product = products[int(rate.model.slug.removeprefix("bench-")) % len(products)]
    CreditRate.objects.bulk_update(rates, ["product"], batch_size=1000)


def measure(label: str, client, key: str, step: int) -> dict:
    from django.core.cache import cache

    from billingcfg.models import Product
    from billingcfg.releases.services import release_publish
    from rates.models import Variant

    cache.clear()
    cpu = []
    seconds, release, queries = _measured(lambda: release_publish(note=f"bench step {step}"), cpu)
    figures = {
        "products": Product.objects.count(),
        "variants": Variant.objects.count(),
        "publish s": seconds,
        "publish, CPU of this process s": cpu[0],
        "publish queries": queries,
        "release bytes": len(release.document),
    }
    url = "/api/v1/products/p00/config/"
    headers = {"authorization": f"Api-Key {key}"}
    first, response, first_queries = _measured(lambda: client.get(url, headers=headers))
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]!r}")
    again, response, again_queries = _measured(lambda: client.get(url, headers=headers))
    etag = response["ETag"]
    unchanged, not_modified, unchanged_queries = _measured(
        lambda: client.get(url, headers={**headers, "if-none-match": etag})
    )
    if not_modified.status_code != 304:
        raise SystemExit(f"{url} with If-None-Match answered {not_modified.status_code}")
    figures.update(
        {
            "p00 config bytes": len(response.content),
            "p00 config, first s": first,
            "p00 config, first queries": first_queries,
            "p00 config, again s": again,
            "p00 config, again queries": again_queries,
            "p00 config, 304 s": unchanged,
            "p00 config, 304 queries": unchanged_queries,
        }
    )
    print(f"\n{label}")
    for name, value in figures.items():
        print(f"  {name:<32} {value:>12.4f}" if isinstance(value, float) else f"  {name:<32} {value:>12,}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=5000)
    parser.add_argument("--products", type=int, default=20)
    arguments = parser.parse_args()
    _setup()

    from django.db import connection
    from django.test import Client

    from billingcfg.release_models import ApiKey, ApiScope
    from billingcfg.releases.api_keys import api_key_issue, products_named

    client = Client()
    base()
    key = api_key_issue(ApiKey(name="bench backend", scopes=[ApiScope.CONFIG_READ]), products=products_named(["p00"]))
    small = arguments.variants // 5
    add_variants(small)
    add_products(1)
    one = measure(f"1 product, {small:,} variants", client, key, 1)
    add_products(arguments.products)
    deal_rates()
    many = measure(f"{arguments.products} products, {small:,} variants", client, key, 2)
    add_variants(arguments.variants - small)
    grown = measure(f"{arguments.products} products, {arguments.variants:,} variants", client, key, 3)

    print("\nQuery counts, step by step")
    for name in one:
        # A key's first request may also record when it was last used (once a while): not compared.
        if name.endswith("queries") and "first" not in name:
            steps = [one[name], many[name], grown[name]]
            verdict = "same" if len(set(steps)) == 1 else "GROWS"
            print(f"  {name:<30} {steps[0]:>5} → {steps[1]:<5} → {steps[2]:<5} {verdict}")
    print("\nRatios, last step / first")
    for name in (
        "publish s",
        "publish, CPU of this process s",
        "p00 config, first s",
        "p00 config, again s",
        "release bytes",
        "p00 config bytes",
    ):
        print(f"  {name:<30} {grown[name] / one[name]:>12.1f}×")
    within = "within" if grown["publish s"] < LIMIT_SECONDS else "OVER"
    load = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
    print(
        f"\nPublishing {arguments.products} products over {arguments.variants:,} variants: "
        f"{grown['publish s']:.2f} s ({within} the {LIMIT_SECONDS:.0f} s budget; "
        f"{grown['publish, CPU of this process s']:.2f} s of CPU in this process), "
        f"on {connection.vendor} with {os.cpu_count()} CPUs at load average {load}"
    )


if __name__ == "__main__":
    main()
