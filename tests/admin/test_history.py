"""Who changed what and when, as the History page of a row shows it."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from billingcfg.models import Action, AlertThreshold
from plans.models import CreditPack
from rates.models import AIModel, ProviderCost, Workflow
from tests import factories as f
from tests.admin.pages import admin_url, change_url, page_data, table_rows


def _row_with(rows: list[str], *texts: str) -> bool:
    """One history row says all of `texts`: who changed it and what changed, together."""
    return any(all(text in row for text in texts) for row in rows)


@pytest.fixture
def alice_client(client: Client, db: None) -> Client:
    """A logged-in superuser. The page header greets her by first name, so her
    username is only on the page where a history row names her."""
    alice = get_user_model().objects.create_superuser("ops-alice", "alice@example.com", "unused", first_name="Alice")
    client.force_login(alice)
    return client


def test_change_shows_on_history_page_with_username(alice_client: Client) -> None:
    pack = f.credit_pack(price="9.99")
    data = page_data(alice_client.get(change_url(pack)))
    data["price"] = "12.50"
    assert alice_client.post(change_url(pack), data).status_code == 302
    rows = table_rows(alice_client.get(admin_url(CreditPack, "history", pack.pk)))
    assert _row_with(rows, "ops-alice", "Price: 9.9900 → 12.5000")
    assert pack.history.latest().history_user.username == "ops-alice"


def test_inline_change_shows_on_the_rows_own_history_page(alice_client: Client) -> None:
    """A cost edited on its model's page is still traced to the person who edited it."""
    cost = f.provider_cost(for_default_variant=True, price="0.5")
    data = page_data(alice_client.get(change_url(cost.model)))
    data["provider_costs-0-price"] = "0.75"
    assert alice_client.post(change_url(cost.model), data).status_code == 302
    rows = table_rows(alice_client.get(admin_url(ProviderCost, "history", cost.pk)))
    assert _row_with(rows, "ops-alice", "Price: 0.50000000 → 0.75000000")


def test_price_change_shows_on_the_models_history_page(alice_client: Client) -> None:
    """An ops person reading a model's History sees its price changes too, not only its name."""
    cost = f.provider_cost(for_default_variant=True, price="0.5")
    data = page_data(alice_client.get(change_url(cost.model)))
    data["provider_costs-0-price"] = "0.75"
    assert alice_client.post(change_url(cost.model), data).status_code == 302

    response = alice_client.get(admin_url(AIModel, "history", cost.model.pk))

    assert "Provider costs" in response.content.decode()
    assert _row_with(table_rows(response), "ops-alice", "price: 0.5 → 0.75")


def test_step_change_shows_on_the_workflows_history_page(alice_client: Client) -> None:
    """Steps have no page of their own: their changes are listed on the workflow's History page."""
    step = f.workflow_step(label="Report call", quantity="55500")
    data = page_data(alice_client.get(change_url(step.workflow)))
    data["steps-0-quantity"] = "60000"
    assert alice_client.post(change_url(step.workflow), data).status_code == 302
    rows = table_rows(alice_client.get(admin_url(Workflow, "history", step.workflow.pk)))
    assert _row_with(rows, "step 0: Report call", "ops-alice", "quantity: 55500 → 60000")


def test_action_removal_shows_on_the_thresholds_history_page(alice_client: Client) -> None:
    action = f.threshold_action(action=Action.SLACK)
    data = page_data(alice_client.get(change_url(action.threshold)))
    data["actions-0-DELETE"] = "on"
    assert alice_client.post(change_url(action.threshold), data).status_code == 302
    rows = table_rows(alice_client.get(admin_url(AlertThreshold, "history", action.threshold.pk)))
    assert _row_with(rows, "Slack message", "Deleted", "ops-alice")
