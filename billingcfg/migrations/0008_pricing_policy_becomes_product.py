"""The one pricing policy becomes the first product (renamed in place, so its row
and every history entry of it are kept); fields of a product are added with
temporary defaults that 0009 removes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billingcfg", "0007_names_one_line_not_formulas_notes_line_feeds"),
        ("rates", "0003_names_one_line_not_formulas_notes_line_feeds"),
        ("plans", "0002_names_one_line_not_formulas_notes_line_feeds"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="pricingpolicy", name="pricing_policy_singleton"),
        migrations.RemoveConstraint(model_name="pricingpolicy", name="pricing_policy_margin_fraction"),
        migrations.RemoveConstraint(model_name="pricingpolicy", name="pricing_policy_fixed_basis_has_figure"),
        migrations.RenameModel("PricingPolicy", "Product"),
        migrations.RenameModel("HistoricalPricingPolicy", "HistoricalProduct"),
        migrations.RemoveField(model_name="product", name="singleton"),
        migrations.RemoveField(model_name="historicalproduct", name="singleton"),
        migrations.AddField(
            model_name="product", name="slug", field=models.SlugField(default="default", max_length=80)
        ),
        migrations.AddField(
            model_name="historicalproduct",
            name="slug",
            field=models.SlugField(default="default", max_length=80),
        ),
        migrations.AddField(
            model_name="product", name="name", field=models.CharField(default="Default product", max_length=100)
        ),
        migrations.AddField(
            model_name="historicalproduct",
            name="name",
            field=models.CharField(default="Default product", max_length=100),
        ),
    ]
