"""Two ops people on the same row: the first save wins; the second, made from a
page opened before it, is refused with a message naming the row and who changed
it, and writes nothing. Whatever changed the row counts: another page, an
import, a QuerySet.update."""

import threading
import time
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from billingcfg.admin.config import ConfigAdmin
from billingcfg.admin.stale import OPENED_AS, StaleCheckForm, StaleCheckFormSet
from billingcfg.core.text import moment_text
from rates.models import AIModel, CreditRate
from tests import factories as f
from tests.admin.pages import add_row, admin_url, change_url, page_data, shown_errors, table_rows

REOPEN = "Your changes were not saved. Reopen the page to see the current values, then make your changes again."
CORRECT_BELOW = "Please correct the error"  # "… the error below." or "… the errors below."


def _editor(name: str) -> Client:
    user = User.objects.create_user(name, password="unused", is_staff=True)
    user.groups.add(Group.objects.get(name="editor"))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice(db) -> Client:
    return _editor("ops-alice")


@pytest.fixture
def bob(db) -> Client:
    return _editor("ops-bob")


def _rate_name(rate: CreditRate) -> str:
    return f"{rate.model.slug} / {rate.variant.slug if rate.variant_id else 'all variants'} / {rate.meter.slug}"


def _last_change(rate: CreditRate) -> str:
    return moment_text(CreditRate.history.filter(id=rate.pk).latest().history_date)


def _rates_formset(response: HttpResponse):
    return next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "credit_rates"
    )


def _row_index(data: dict[str, str], prefix: str, row) -> int:
    return next(
        int(key.split("-")[1])
        for key, value in data.items()
        if key.startswith(f"{prefix}-") and key.endswith("-id") and value == str(row.pk)
    )


def _refused_with(response: HttpResponse, message: str) -> None:
    """The page came back, saying why, with Django's note above the form."""
    assert response.status_code == 200
    assert message in shown_errors(response)
    page = response.content.decode()
    assert escape(message) in page
    assert CORRECT_BELOW in page


# ---- the credit rate's own page ---------------------------------------------------------------


def test_second_save_of_a_credit_rate_is_refused_and_the_first_stays(alice: Client, bob: Client) -> None:
    rate = f.credit_rate(credits=Decimal("10"))
    url = change_url(rate)
    alices, bobs = page_data(alice.get(url)), page_data(bob.get(url))

    alices["credits"] = "12"
    assert alice.post(url, alices).status_code == 302
    records = CreditRate.history.filter(id=rate.pk).count()

    bobs.update(credits="15", notes="Bob's reason")
    refused = bob.post(url, bobs)

    _refused_with(
        refused,
        f"The credit rate “{_rate_name(rate)}” was changed by ops-alice on {_last_change(rate)} "
        f"after you opened this page. {REOPEN}",
    )
    rate.refresh_from_db()
    assert (rate.credits, rate.notes) == (Decimal("12"), "")
    assert CreditRate.history.filter(id=rate.pk).count() == records
    assert CreditRate.history.filter(id=rate.pk).latest().history_user.username == "ops-alice"


def test_resubmitting_the_refused_page_stays_refused_and_a_reopened_page_saves(alice: Client, bob: Client) -> None:
    rate = f.credit_rate(credits=Decimal("10"))
    url = change_url(rate)
    alices, bobs = page_data(alice.get(url)), page_data(bob.get(url))
    alices["credits"] = "12"
    alice.post(url, alices)
    bobs["credits"] = "15"
    refused = bob.post(url, bobs)

    again = bob.post(url, page_data(refused))
    assert again.status_code == 200
    reopened = bob.get(url)
    assert reopened.context["adminform"].form["credits"].value() == Decimal("12")
    data = page_data(reopened)
    data["credits"] = "15"
    assert bob.post(url, data).status_code == 302
    rate.refresh_from_db()
    assert rate.credits == Decimal("15")


@pytest.mark.parametrize("change", ["queryset_update", "save_without_a_user"])
def test_a_change_made_outside_the_admin_is_detected(bob: Client, change: str) -> None:
    rate = f.credit_rate(credits=Decimal("10"))
    url = change_url(rate)
    data = page_data(bob.get(url))
    if change == "queryset_update":
        # Bulk writes (spreadsheet imports, price-list applies) leave no history record.
        CreditRate.objects.filter(pk=rate.pk).update(credits=Decimal("11"))
        who_and_when = ""
    else:
        stored = CreditRate.objects.get(pk=rate.pk)
        stored.credits = Decimal("11")
        stored.save()
        who_and_when = f" on {_last_change(rate)}"
    data["credits"] = "15"

    refused = bob.post(url, data)

    _refused_with(
        refused, f"The credit rate “{_rate_name(rate)}” was changed{who_and_when} after you opened this page. {REOPEN}"
    )
    rate.refresh_from_db()
    assert rate.credits == Decimal("11")


def test_a_page_that_does_not_say_how_the_row_was_opened_is_refused(bob: Client) -> None:
    """A page from before this check, or a hand-made post, cannot prove it is not stale."""
    rate = f.credit_rate(credits=Decimal("10"))
    data = page_data(bob.get(change_url(rate)))
    del data[OPENED_AS]
    data["credits"] = "15"

    refused = bob.post(change_url(rate), data)

    _refused_with(
        refused,
        f"The credit rate “{_rate_name(rate)}” could not be checked for changes made since this "
        f"page was opened. {REOPEN}",
    )
    rate.refresh_from_db()
    assert rate.credits == Decimal("10")


# ---- the AI model page, with its rows inline --------------------------------------------------


def test_second_save_through_the_model_pages_rate_row_is_refused_on_that_row(alice: Client, bob: Client) -> None:
    rate = f.credit_rate(for_default_variant=True, credits=Decimal("10"))
    model = rate.model
    name = model.name
    url = change_url(model)
    alices, bobs = page_data(alice.get(url)), page_data(bob.get(url))
    row = _row_index(bobs, "credit_rates", rate)

    alices[f"credit_rates-{row}-credits"] = "12"
    assert alice.post(url, alices).status_code == 302
    bobs.update({"name": "Renamed by Bob", f"credit_rates-{row}-credits": "15"})
    refused = bob.post(url, bobs)

    message = (
        f"The credit rate “{_rate_name(rate)}” was changed by ops-alice on {_last_change(rate)} "
        f"after you opened this page. {REOPEN}"
    )
    _refused_with(refused, message)
    assert _rates_formset(refused).forms[row].non_field_errors() == [message]
    assert message in table_rows(refused)  # the error row above the rate's own row
    assert AIModel.objects.get(pk=model.pk).name == name
    assert CreditRate.objects.get(pk=rate.pk).credits == Decimal("12")


def test_a_row_someone_else_changed_where_the_page_does_not_show_it_does_not_block(alice: Client, bob: Client) -> None:
    """Alice writes a note on the first rate's own page; Bob, on the model page
    opened before, changes the second rate. The first rate's row on Bob's page
    shows nothing Alice changed and is not written back: Bob's save goes through
    and Alice's note stays."""
    first = f.credit_rate(for_default_variant=True, credits=Decimal("10"))
    second = f.credit_rate(model=first.model, credits=Decimal("20"))
    url = change_url(first.model)
    bobs = page_data(bob.get(url))
    alices = page_data(alice.get(change_url(first)))
    alices["notes"] = "Checked against the provider's invoice."
    assert alice.post(change_url(first), alices).status_code == 302

    bobs[f"credit_rates-{_row_index(bobs, 'credit_rates', second)}-credits"] = "25"
    assert bob.post(url, bobs).status_code == 302

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.credits, first.notes) == (Decimal("10"), "Checked against the provider's invoice.")
    assert second.credits == Decimal("25")


def test_a_row_whose_shown_values_someone_else_changed_blocks_even_if_untouched(alice: Client, bob: Client) -> None:
    """Bob's page still shows the first rate's old credits: saving it would put them
    back over Alice's, so the page is refused, on that row, and nothing is written."""
    first = f.credit_rate(for_default_variant=True, credits=Decimal("10"))
    second = f.credit_rate(model=first.model, credits=Decimal("20"))
    url = change_url(first.model)
    alices, bobs = page_data(alice.get(url)), page_data(bob.get(url))
    alices[f"credit_rates-{_row_index(alices, 'credit_rates', first)}-credits"] = "12"
    assert alice.post(url, alices).status_code == 302

    bobs[f"credit_rates-{_row_index(bobs, 'credit_rates', second)}-credits"] = "25"
    refused = bob.post(url, bobs)

    message = (
        f"The credit rate “{_rate_name(first)}” was changed by ops-alice on {_last_change(first)} "
        f"after you opened this page. {REOPEN}"
    )
    _refused_with(refused, message)
    assert _rates_formset(refused).forms[_row_index(bobs, "credit_rates", first)].non_field_errors() == [message]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.credits, second.credits) == (Decimal("12"), Decimal("20"))


def test_a_row_deleted_meanwhile_is_named_on_its_row(alice: Client, bob: Client) -> None:
    rate = f.credit_rate(for_default_variant=True, credits=Decimal("10"))
    name = _rate_name(rate)
    model = rate.model
    model_name = model.name
    bobs = page_data(bob.get(change_url(model)))
    row = _row_index(bobs, "credit_rates", rate)
    assert alice.post(admin_url(CreditRate, "delete", rate.pk), {"post": "yes"}).status_code == 302
    deleted = moment_text(CreditRate.history.filter(id=rate.pk).latest().history_date)

    bobs.update({"name": "Renamed by Bob", f"credit_rates-{row}-credits": "15"})
    refused = bob.post(change_url(model), bobs)

    message = f"The credit rate “{name}” was deleted by ops-alice on {deleted} after you opened this page. {REOPEN}"
    _refused_with(refused, message)
    assert _rates_formset(refused).non_form_errors() == [message]  # the row itself is no longer shown
    assert not CreditRate.objects.filter(pk=rate.pk).exists()
    assert AIModel.objects.get(pk=model.pk).name == model_name


def test_deleting_a_row_someone_else_changed_meanwhile_is_refused(alice: Client, bob: Client) -> None:
    rate = f.credit_rate(for_default_variant=True, credits=Decimal("10"))
    url = change_url(rate.model)
    bobs = page_data(bob.get(url))
    alices = page_data(alice.get(change_url(rate)))
    alices["credits"] = "12"
    assert alice.post(change_url(rate), alices).status_code == 302

    bobs[f"credit_rates-{_row_index(bobs, 'credit_rates', rate)}-DELETE"] = "on"
    refused = bob.post(url, bobs)

    message = (
        f"The credit rate “{_rate_name(rate)}” was changed by ops-alice on {_last_change(rate)} "
        f"after you opened this page. {REOPEN}"
    )
    _refused_with(refused, message)
    assert _rates_formset(refused).non_form_errors() == [message]
    assert CreditRate.objects.get(pk=rate.pk).credits == Decimal("12")


# ---- no false refusals ------------------------------------------------------------------------


def test_saving_again_after_reopening_the_page_works(bob: Client) -> None:
    rate = f.credit_rate(credits=Decimal("10"))
    for credits in ("12", "15"):
        data = page_data(bob.get(change_url(rate)))
        data["credits"] = credits
        assert bob.post(change_url(rate), data).status_code == 302
    rate.refresh_from_db()
    assert rate.credits == Decimal("15")


def test_saving_the_model_page_unchanged_works(bob: Client, demo) -> None:
    """Every stored row of a full page is on it, none changed: nothing to refuse."""
    model = AIModel.objects.filter(credit_rates__isnull=False, provider_costs__isnull=False).first()
    data = page_data(bob.get(change_url(model)))
    response = bob.post(change_url(model), data)
    assert response.status_code == 302


def test_a_row_sent_with_the_values_it_holds_now_does_not_block(bob: Client) -> None:
    """The rate moved to 12 after Bob opened the page, and Bob set it to 12 too:
    his row writes nothing over anyone's, so the page saves."""
    rate = f.credit_rate(for_default_variant=True, credits=Decimal("10"))
    url = change_url(rate.model)
    bobs = page_data(bob.get(url))
    CreditRate.objects.filter(pk=rate.pk).update(credits=Decimal("12"))
    bobs[f"credit_rates-{_row_index(bobs, 'credit_rates', rate)}-credits"] = "12"

    assert bob.post(url, bobs).status_code == 302
    assert CreditRate.objects.get(pk=rate.pk).credits == Decimal("12")


def test_a_rate_is_added_on_its_own_page_and_on_the_model_page(bob: Client) -> None:
    """Both pages start a new rate in the default product."""
    f.default_product()
    model = f.ai_model()
    meter, other = f.meter(), f.meter()
    data = page_data(bob.get(admin_url(CreditRate, "add")))
    data.update(
        {
            "model": str(model.pk),
            "meter": str(meter.pk),
            "credits": "10",
            "per_units": "1",
            "minimum_charge": "0",
            "active": "on",
        }
    )
    assert bob.post(admin_url(CreditRate, "add"), data).status_code == 302

    data = page_data(bob.get(change_url(model)))
    add_row(
        data,
        "credit_rates",
        {
            "product": data["credit_rates-0-product"],
            "meter": str(other.pk),
            "credits": "20",
            "per_units": "1",
            "minimum_charge": "0",
            "active": "on",
        },
    )
    assert bob.post(change_url(model), data).status_code == 302
    assert sorted(CreditRate.objects.filter(model=model).values_list("credits", flat=True)) == [
        Decimal("10"),
        Decimal("20"),
    ]


def _revert_data(response: HttpResponse) -> dict[str, str]:
    """The revert page as a browser posts it: one form, no inlines."""
    form = response.context["adminform"].form
    data = {form.add_prefix(name): form[name].value() for name in form.fields}
    return {
        name: "on" if value is True else str(value)
        for name, value in data.items()
        if value is not None and value is not False
    }


def test_reverting_from_history_is_checked_too(alice: Client, bob: Client) -> None:
    """The History page's revert form saves the row: it is refused when the row moved
    since it was opened, and reverts when it did not."""
    rate = f.credit_rate(credits=Decimal("10"))
    first = CreditRate.history.filter(id=rate.pk).earliest()
    revert = reverse("admin:rates_creditrate_simple_history", args=[rate.pk, first.history_id])
    data = page_data(alice.get(change_url(rate)))
    data["credits"] = "12"
    alice.post(change_url(rate), data)

    bobs = _revert_data(bob.get(revert))
    CreditRate.objects.filter(pk=rate.pk).update(credits=Decimal("14"))
    refused = bob.post(revert, bobs)
    assert refused.status_code == 200
    assert f"The credit rate “{_rate_name(rate)}” was changed after you opened this page. {REOPEN}" in (
        refused.context["adminform"].form.non_field_errors()
    )
    assert CreditRate.objects.get(pk=rate.pk).credits == Decimal("14")

    assert bob.post(revert, _revert_data(bob.get(revert))).status_code == 302
    assert CreditRate.objects.get(pk=rate.pk).credits == Decimal("10")


def test_a_read_only_page_shows_no_bookkeeping_field(db) -> None:
    """A viewer's page lists the row's values read-only; the hidden check has no place there."""
    viewer = User.objects.create_user("ops-viewer", password="unused", is_staff=True)
    viewer.groups.add(Group.objects.get(name="viewer"))
    client = Client()
    client.force_login(viewer)
    rate = f.credit_rate(for_default_variant=True)
    for url in (change_url(rate), change_url(rate.model)):
        page = client.get(url)
        assert page.status_code == 200
        assert OPENED_AS not in page.content.decode()


# ---- every configuration page is covered ------------------------------------------------------

CONFIG_ADMINS = [model_admin for model_admin in admin.site._registry.values() if isinstance(model_admin, ConfigAdmin)]


@pytest.mark.parametrize("model_admin", CONFIG_ADMINS, ids=lambda model_admin: model_admin.model._meta.label)
def test_every_configuration_form_refuses_stale_edits(model_admin: ConfigAdmin) -> None:
    """A page, or an inline of one, whose form skipped the check would write over
    another's save silently. The changelist has no check: no list may be edited in place."""
    assert issubclass(model_admin.form, StaleCheckForm)
    assert not model_admin.list_editable
    for inline in model_admin.inlines:
        assert issubclass(inline.form, StaleCheckForm), inline
        assert issubclass(inline.formset, StaleCheckFormSet), inline


# ---- two saves at once ------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; CI runs this there")
@pytest.mark.django_db(transaction=True)
def test_two_saves_at_once_one_wins_and_the_other_is_refused(monkeypatch) -> None:
    """Both pages were opened on the same row and are saved at the same moment:
    without the row lock both would pass the check and the later write would win."""
    clients = []
    for name in ("ops-alice", "ops-bob"):
        client = Client()
        client.force_login(User.objects.create_superuser(name, f"{name}@example.com", "unused"))
        clients.append(client)
    rate = f.credit_rate(credits=Decimal("10"))
    url = change_url(rate)
    pages = [page_data(client.get(url)) for client in clients]
    model_admin = admin.site._registry[CreditRate]
    save_now = model_admin.save_model

    def save_slowly(request, obj, form, change):
        # Widen the window between the check and the write.
        time.sleep(0.5)
        save_now(request, obj, form, change)

    monkeypatch.setattr(model_admin, "save_model", save_slowly)
    barrier = threading.Barrier(2)
    statuses, failures = {}, []

    def save(client: Client, data: dict[str, str], credits: str) -> None:
        try:
            barrier.wait()
            statuses[credits] = client.post(url, {**data, "credits": credits}).status_code
        except Exception as failure:  # noqa: BLE001 - reported below
            failures.append(failure)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(client, data, credits))
        for client, data, credits in zip(clients, pages, ("12", "15"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert sorted(statuses.values()) == [200, 302]
    winner = next(credits for credits, status in statuses.items() if status == 302)
    assert CreditRate.objects.get(pk=rate.pk).credits == Decimal(winner)
    assert CreditRate.history.filter(id=rate.pk).count() == 2
