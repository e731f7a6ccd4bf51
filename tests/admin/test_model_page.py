"""The AI model page: variants, provider costs and credit rates edited together."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rates.models import AIModel, CreditRate, ProviderCost, Variant
from tests import factories as f
from tests.admin.pages import add_row, admin_url, change_url, page_data


def _variant_choices(response, inline_prefix: str) -> set[str]:
    formset = next(
        inline.formset for inline in response.context["inline_admin_formsets"] if inline.formset.prefix == inline_prefix
    )
    return {label for value, label in formset.empty_form.fields["variant"].choices if value != ""}


def test_variant_choices_are_the_models_own(admin_client: Client) -> None:
    """Picking another model's variant for a cost is a mistake the page should not offer."""
    model = f.ai_model(default_variant=False)
    own = f.variant(model=model, is_default=True)
    f.variant(is_default=True)
    response = admin_client.get(change_url(model))
    assert _variant_choices(response, "provider_costs") == {str(own)}
    assert _variant_choices(response, "credit_rates") == {str(own)}


def test_add_page_offers_no_variants(admin_client: Client) -> None:
    """A model being added has no variants yet: rows on the add page hold for all variants."""
    f.variant(is_default=True)
    response = admin_client.get(admin_url(AIModel, "add"))
    assert _variant_choices(response, "provider_costs") == set()
    assert _variant_choices(response, "credit_rates") == set()


def test_default_moves_to_another_variant_in_one_save(admin_client: Client) -> None:
    """Ops move the default by ticking the new one and unticking the old one, in one save."""
    old = f.variant(is_default=True, sort_order=0)
    new = f.variant(model=old.model, sort_order=1)
    data = page_data(admin_client.get(change_url(old.model)))
    rows = {data[f"variants-{i}-id"]: i for i in range(2)}
    del data[f"variants-{rows[str(old.pk)]}-is_default"]
    data[f"variants-{rows[str(new.pk)]}-is_default"] = "on"
    response = admin_client.post(change_url(old.model), data)
    assert response.status_code == 302
    assert list(Variant.objects.filter(model=old.model, is_default=True)) == [new]


def test_deleting_the_default_variant_while_marking_another(admin_client: Client) -> None:
    """Retiring the default variant and promoting another is one save, not two."""
    old = f.variant(is_default=True, sort_order=1)
    new = f.variant(model=old.model, sort_order=0)
    data = page_data(admin_client.get(change_url(old.model)))
    rows = {data[f"variants-{i}-id"]: i for i in range(2)}
    data[f"variants-{rows[str(old.pk)]}-DELETE"] = "on"
    data[f"variants-{rows[str(new.pk)]}-is_default"] = "on"
    response = admin_client.post(change_url(old.model), data)
    assert response.status_code == 302
    assert list(Variant.objects.filter(model=old.model)) == [new]
    assert Variant.objects.get(pk=new.pk).is_default


def test_a_model_is_added_with_its_variant_cost_and_rate(admin_client: Client) -> None:
    """The whole of a new model is entered on one page."""
    provider = f.provider()
    meter = f.meter()
    data = page_data(admin_client.get(admin_url(AIModel, "add")))
    data.update({"slug": "sora-2-pro", "name": "Sora 2 Pro", "provider": str(provider.pk), "modality": "video"})
    add_row(data, "variants", {"slug": "1080p", "name": "1080p", "is_default": "on", "sort_order": "0"})
    add_row(
        data,
        "provider_costs",
        {
            "meter": str(meter.pk),
            "supplier": str(provider.pk),
            "price": "0.5",
            "per_units": "1",
            "currency": str(f.usd().pk),
            "as_of": "2025-10-01",
        },
    )
    add_row(
        data,
        "credit_rates",
        {
            "product": str(f.default_product().pk),
            "meter": str(meter.pk),
            "credits": "35",
            "per_units": "1",
            "minimum_charge": "0",
            "allowed_quantities": "4,8,12",
            "default_quantity": "4",
            "active": "on",
        },
    )
    response = admin_client.post(admin_url(AIModel, "add"), data)
    assert response.status_code == 302
    model = AIModel.objects.get(slug="sora-2-pro")
    assert [variant.slug for variant in model.variants.all()] == ["1080p"]
    assert ProviderCost.objects.get(model=model).variant is None
    assert CreditRate.objects.get(model=model).allowed_quantities == "4, 8, 12"


def test_cost_page_stays_light_however_many_variants_exist(admin_client: Client) -> None:
    """Model and variant are looked up, not listed: the page does not grow with the catalogue."""
    cost = f.provider_cost(for_default_variant=True)
    admin_client.get(change_url(cost))
    with CaptureQueriesContext(connection) as before:
        admin_client.get(change_url(cost))
    model = f.ai_model(default_variant=False)
    for n in range(60):
        f.variant(model=model, slug=f"elsewhere-{n}", is_default=n == 0)
    with CaptureQueriesContext(connection) as after:
        response = admin_client.get(change_url(cost))
    assert "elsewhere-" not in response.content.decode()
    assert len(after) == len(before)


def test_model_page_costs_the_same_queries_for_more_rows(admin_client: Client) -> None:
    """Select boxes and row labels are loaded once per page, not once per cost or rate."""
    model = f.ai_model(default_variant=False)
    variants = [f.variant(model=model, is_default=n == 0) for n in range(3)]

    def rows_add(count: int) -> None:
        for _ in range(count):
            variant = variants[ProviderCost.objects.filter(model=model).count() % 3]
            f.provider_cost(model=model, variant=variant)
            f.credit_rate(model=model, variant=variant)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(change_url(model)).status_code == 200
        return len(captured)

    rows_add(2)
    admin_client.get(change_url(model))
    few = queries()
    rows_add(10)
    assert queries() == few


def test_variant_lookup_finds_variants_by_model_slug(admin_client: Client) -> None:
    """With thousands of variants the cost page looks them up by typing the model's slug."""
    model = f.ai_model(default_variant=False, slug="sora-2-pro")
    f.variant(model=model, slug="1080p", is_default=True)
    f.variant(slug="1080p", is_default=True)
    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "rates", "model_name": "providercost", "field_name": "variant", "term": "sora-2-pro"},
    )
    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == ["sora-2-pro / 1080p"]


def test_a_priced_variant_is_not_deleted_from_the_model_page(admin_client: Client) -> None:
    """Ticking Delete on a variant with prices must not silently drop its cost and rate."""
    default = f.variant(is_default=True, sort_order=0)
    priced = f.variant(model=default.model, slug="1080p", sort_order=1)
    f.provider_cost(model=default.model, variant=priced)
    data = page_data(admin_client.get(change_url(default.model)))
    rows = {data[f"variants-{i}-id"]: i for i in range(2)}
    data[f"variants-{rows[str(priced.pk)]}-DELETE"] = "on"

    response = admin_client.post(change_url(default.model), data)

    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in response.content.decode()
    assert Variant.objects.filter(pk=priced.pk).exists()
    assert ProviderCost.objects.filter(variant=priced).count() == 1


def test_a_priced_variant_delete_page_lists_what_blocks_it(admin_client: Client) -> None:
    default = f.variant(is_default=True)
    priced = f.variant(model=default.model, slug="1080p")
    f.credit_rate(model=default.model, variant=priced)

    page = admin_client.get(admin_url(Variant, "delete", priced.pk)).content.decode()
    admin_client.post(admin_url(Variant, "delete", priced.pk), {"post": "yes"})

    assert "Cannot delete variant" in page
    assert Variant.objects.filter(pk=priced.pk).exists()


def test_the_model_page_deletes_a_model_with_its_variants_and_prices(admin_client: Client) -> None:
    variant = f.variant(is_default=True)
    f.provider_cost(model=variant.model, variant=variant)
    f.credit_rate(model=variant.model, variant=variant)

    response = admin_client.post(admin_url(AIModel, "delete", variant.model.pk), {"post": "yes"})

    assert response.status_code == 302
    assert (AIModel.objects.count(), Variant.objects.count(), ProviderCost.objects.count()) == (0, 0, 0)
    assert CreditRate.objects.count() == 0


def test_the_only_default_cannot_be_unticked_on_the_variant_page(admin_client: Client) -> None:
    variant = f.variant(is_default=True)
    data = page_data(admin_client.get(change_url(variant)))
    del data["is_default"]

    response = admin_client.post(change_url(variant), data)

    assert response.status_code == 200
    assert "Every model needs a default variant" in response.content.decode()
    assert Variant.objects.get(pk=variant.pk).is_default
