"""Existing data becomes one product, nothing lost: the policy row (renamed in 0008)
is the default product; every offer, credit rate, workflow and alert threshold,
and every history entry of them, belongs to it; every provider cost is bought
from its model's provider; every release is that product's document, byte for
byte (same ETag, so a backend's cached copy stays current); every API key reads it
and keeps the whole-configuration view it had.

A database with configuration rows but no policy gets a default product in USD
(or its first currency) at a 75 % target, so no row is left without one."""

from decimal import Decimal

from django.db import migrations

DEFAULT_SLUG = "default"


def _default_product(apps, *, needed: bool):
    Product = apps.get_model("billingcfg", "Product")
    Currency = apps.get_model("billingcfg", "Currency")
    product = Product.objects.order_by("pk").first()
    if product is None and needed:
        currency = Currency.objects.filter(code="USD").first() or Currency.objects.order_by("code").first()
        if currency is None:
            currency = Currency.objects.create(code="USD", name="US dollar", symbol="$")
        product = Product.objects.create(
            slug=DEFAULT_SLUG,
            name="Default product",
            reporting_currency=currency,
            target_gross_margin=Decimal("0.75"),
        )
    if product is not None and not product.is_default:
        product.is_default = True
        product.save(update_fields=["is_default"])
        apps.get_model("billingcfg", "HistoricalProduct").objects.filter(id=product.pk).update(is_default=True)
    return product


OWNED = [
    ("billingcfg", "AlertThreshold"),
    ("plans", "CreditPack"),
    ("plans", "SubscriptionPlan"),
    ("rates", "CreditRate"),
    ("rates", "Workflow"),
]


def forwards(apps, schema_editor):
    models = [apps.get_model(app, name) for app, name in OWNED]
    historical = [apps.get_model(app, f"Historical{name}") for app, name in OWNED]
    Release = apps.get_model("billingcfg", "Release")
    needed = any(model.objects.exists() for model in models) or Release.objects.exists()
    product = _default_product(apps, needed=needed)
    if product is not None:
        for model in (*models, *historical):
            model.objects.filter(product__isnull=True).update(product=product)
    # Every cost was the model's provider's price; a deleted model's provider is in its history.
    history = apps.get_model("rates", "HistoricalAIModel").objects.order_by("history_date", "history_id")
    provider_of = dict(history.values_list("id", "provider_id"))
    provider_of.update(apps.get_model("rates", "AIModel").objects.values_list("pk", "provider_id"))
    for name in ("ProviderCost", "HistoricalProviderCost"):
        costs = apps.get_model("rates", name)
        for model_id, provider_id in provider_of.items():
            costs.objects.filter(model_id=model_id, supplier__isnull=True).update(supplier_id=provider_id)
    ReleaseProduct = apps.get_model("billingcfg", "ReleaseProduct")
    for release in Release.objects.order_by("version").iterator():
        ReleaseProduct.objects.create(
            release=release, product=product.slug, document=release.document, sha256=release.sha256
        )
    # A key read the whole configuration before: it keeps reading it (releases, diffs) and reads the product.
    if product is not None:
        for key in apps.get_model("billingcfg", "ApiKey").objects.all():
            key.products.add(product)
            key.all_products = True
            key.save(update_fields=["all_products"])


class Migration(migrations.Migration):
    dependencies = [
        ("billingcfg", "0009_products_and_release_products"),
        ("plans", "0003_offers_belong_to_products"),
        ("rates", "0004_suppliers_and_products"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
