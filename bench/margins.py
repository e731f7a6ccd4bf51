"""Benchmark: every margin of a generated 5,000-variant catalogue, and the admin
screens that show them, against the demo catalogue as the baseline, in one run.

    make bench            # or: .venv/bin/python bench/margins.py [--variants N]

Runs on a throwaway SQLite database (or DATABASE_URL if set to a scratch
database: it is flushed). Prints, for the demo and for the generated
catalogue: time to read the draft, time to compute the margin report, time
per variant, and the time and query count of /admin/margins/ and the
changelists; then the ratios of the generated run to the baseline.
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


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "billingcfg.settings_test")
    if "DATABASE_URL" not in os.environ:
        folder = tempfile.mkdtemp(prefix="bench-margins-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("flush", verbosity=0, interactive=False)


def _timed(function, repeat: int = 3):
    """Best of `repeat` runs: (seconds, result, queries)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    best, result, queries = None, None, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = function()
            elapsed = time.perf_counter() - started
        queries = len(captured)
        best = elapsed if best is None else min(best, elapsed)
    return best, result, queries


def generate(variants: int) -> None:
    """Models of 5 variants each (a few priced per variant, the rest for all
    variants), two meters, a cost and a credit rate per meter, bulk-inserted."""
    from billingcfg.models import Currency, Product
    from rates.models import AIModel, CreditRate, Meter, Provider, ProviderCost, Variant

    usd = Currency.objects.get(code="USD")
    cny = Currency.objects.get(code="CNY")
    seconds, images = Meter.objects.get(slug="seconds"), Meter.objects.get(slug="images")
    provider = Provider.objects.create(slug="bench", name="Bench provider")
    product = Product.objects.get(is_default=True)  # the generated models are the default product's
    per_model = 5
    models = AIModel.objects.bulk_create(
        AIModel(slug=f"bench-{n}", name=f"Bench {n}", provider=provider, modality="video")
        for n in range(variants // per_model)
    )
    rows = Variant.objects.bulk_create(
        Variant(model=model, slug=f"v{k}", name=f"V{k}", is_default=k == 0, sort_order=k)
        for model in models
        for k in range(per_model)
    )
    costs, rates = [], []
    for index, variant in enumerate(rows):
        price = Decimal(index % 97 + 1) / 100
        costs.append(
            ProviderCost(
                model_id=variant.model_id,
                variant=variant,
                meter=seconds,
                supplier=provider,
                price=price,
                price_high=price * 2 if index % 7 == 0 else None,
                currency=usd,
                as_of="2026-01-01",
            )
        )
        if index % 5 == 0:  # one rate per model, for all its variants; images cost in CNY
            rates.append(
                CreditRate(product=product, model_id=variant.model_id, meter=seconds, credits=Decimal(index % 23 + 1))
            )
            rates.append(CreditRate(product=product, model_id=variant.model_id, meter=images, credits=Decimal(3)))
            costs.append(
                ProviderCost(
                    model_id=variant.model_id,
                    meter=images,
                    supplier=provider,
                    price=Decimal("0.25"),
                    currency=cny,
                    as_of="2026-01-01",
                )
            )
    ProviderCost.objects.bulk_create(costs)
    CreditRate.objects.bulk_create(rates)


def _measure(label: str, client) -> dict:
    from billingcfg.releases.document import draft_snapshot
    from pricing.report import margin_report

    read, snapshot, read_queries = _timed(draft_snapshot)
    catalogue = snapshot.catalogue
    # The default product's margins (the generated models are its own), as its margins page computes them.
    computed, report, _ = _timed(lambda: margin_report(catalogue.for_product(catalogue.product.slug)))
    variants = sum(len(model.variants) for model in catalogue.models.values())
    figures = {
        "variants": variants,
        "price rows": len(report.rows),
        "read draft s": read,
        "read draft queries": read_queries,
        "margin report s": computed,
        "per variant ms": (read + computed) / variants * 1000,
    }
    pages = {
        "/admin/margins/": "/admin/margins/",
        "variant list": "/admin/rates/variant/",
        "variant list, below target": "/admin/rates/variant/?margin=below_target",
        "credit-rate list": "/admin/rates/creditrate/",
        "model list": "/admin/rates/aimodel/",
    }
    for name, url in pages.items():
        seconds, response, queries = _timed(lambda url=url: client.get(url), repeat=2)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        figures[f"{name} s"] = seconds
        figures[f"{name} queries"] = queries
    print(f"\n{label}")
    for key, value in figures.items():
        print(f"  {key:<36} {value:>12.4f}" if isinstance(value, float) else f"  {key:<36} {value:>12}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=5000)
    arguments = parser.parse_args()
    _setup()

    from django.contrib.auth import get_user_model
    from django.test import Client

    from billingcfg.demo.load import demo_load

    demo_load()
    admin = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench")
    client = Client()
    client.force_login(admin)

    baseline = _measure("Baseline: the demo catalogue", client)
    generate(arguments.variants)
    grown = _measure(f"Generated: the demo plus {arguments.variants:,} variants", client)

    print("\nRatios, generated / baseline")
    for key in baseline:
        if key.endswith(" s") or key.endswith(" ms") or key in ("variants", "price rows"):
            print(f"  {key:<36} {grown[key] / baseline[key]:>12.1f}×")
    for key in baseline:
        if key.endswith("queries"):
            same = "same" if grown[key] == baseline[key] else "GROWS"
            print(f"  {key:<36} {baseline[key]:>5} → {grown[key]:<5} {same}")


if __name__ == "__main__":
    main()
