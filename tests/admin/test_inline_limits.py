"""A forged row count on a page with inlines is refused before the rows are
read: a post claiming 100,000 rows builds no row forms (Django built 2,000 per
inline and validated them, nearly two minutes on the model page), says which
rows and the limit, and saves nothing."""

import pytest
from django import forms
from django.test import Client

from billingcfg.admin.formsets import INLINE_MAX_ROWS
from rates.models import AIModel, Workflow
from tests import factories as f
from tests.admin.pages import change_url, page_data, shown_errors


@pytest.fixture
def forms_built(monkeypatch) -> list:
    """Every form instantiated while the test runs (rows, main forms, management forms)."""
    built = []
    original = forms.BaseForm.__init__

    def counting(self, *args, **kwargs):
        built.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(forms.BaseForm, "__init__", counting)
    return built


def _forged(data: dict[str, str], prefix: str, rows: int) -> dict[str, str]:
    return {**data, f"{prefix}-TOTAL_FORMS": str(rows)}


@pytest.mark.parametrize(
    "prefix, rows_label",
    [
        ("variants", "Variants"),
        ("provider_costs", "Provider costs"),
        ("credit_rates", "Credit rates"),
    ],
)
def test_a_forged_row_count_on_the_model_page_is_refused_unread(
    admin_client: Client, forms_built: list, prefix: str, rows_label: str
) -> None:
    model = f.variant(is_default=True).model
    data = page_data(admin_client.get(change_url(model)))
    data["name"] = "Renamed"
    forms_built.clear()

    response = admin_client.post(change_url(model), _forged(data, prefix, 100_000))

    assert response.status_code == 200
    assert (
        f"{rows_label}: this page sent 100,000 rows; at most 1,000 can be saved at once. Nothing was saved; "
        "reopen the page and try again."
    ) in shown_errors(response)
    assert len(forms_built) < 30  # the main form, management forms and the few stored rows; not 100,000
    assert AIModel.objects.get(pk=model.pk).name != "Renamed"


def test_a_forged_row_count_on_the_workflow_page_is_refused_unread(admin_client: Client, forms_built: list) -> None:
    step = f.workflow_step()
    data = page_data(admin_client.get(change_url(step.workflow)))
    data["name"] = "Renamed"
    prefix = next(key for key in data if key.endswith("-TOTAL_FORMS")).removesuffix("-TOTAL_FORMS")
    forms_built.clear()

    response = admin_client.post(change_url(step.workflow), _forged(data, prefix, 100_000))

    assert response.status_code == 200
    assert any(message.startswith("Workflow steps: this page sent 100,000 rows") for message in shown_errors(response))
    assert len(forms_built) < 30
    assert Workflow.objects.get(pk=step.workflow.pk).name != "Renamed"


def test_a_row_count_at_the_limit_is_read_as_ever(admin_client: Client, forms_built: list) -> None:
    model = f.variant(is_default=True).model
    data = page_data(admin_client.get(change_url(model)))
    forms_built.clear()

    response = admin_client.post(change_url(model), _forged(data, "variants", INLINE_MAX_ROWS))

    assert not any("can be saved at once" in message for message in shown_errors(response))
    assert forms_built.count("VariantForm") >= INLINE_MAX_ROWS
