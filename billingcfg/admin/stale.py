"""Edits made from a stale page are refused, not silently written over another's.

A page carries, in a hidden field, the fingerprint of each row as it was opened.
Saving reads the row again, locked until the save commits, and refuses the edit
when the row's fingerprint moved meanwhile, naming the row and, from its
history, who changed it and when.

The fingerprint covers the row's stored values, not a version column, so every
write counts: another admin page, a spreadsheet import, a price-list apply, a
restore, even a QuerySet.update that leaves no history.
"""

import hashlib
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal

from django import forms
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import router, transaction
from django.db.models import Model
from django.forms.formsets import DELETION_FIELD_NAME
from django.http import HttpRequest
from simple_history.exceptions import NotHistoricalModelError
from simple_history.models import to_historic
from simple_history.utils import get_history_manager_for_model

from billingcfg.admin.formsets import BoundedInline, BoundedInlineFormSet
from billingcfg.core.text import moment_text
from billingcfg.releases.document import canonical_bytes, timestamp
from pricing.money import dec

OPENED_AS = "opened_as"

# The fingerprint of no row: a page opened on a row that did not exist (reverting
# a deleted row from its history) is stale once the row exists again.
ABSENT = "absent"


def _canonical(value: object) -> object:
    """A stored value as JSON-ready text that reads the same however it was read:
    decimals by value (0.5 and PostgreSQL's padded 0.50000000 alike)."""
    if isinstance(value, Decimal):
        return dec(value)
    if isinstance(value, datetime):
        return timestamp(value) if value.tzinfo else value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str, list, dict)):
        return value
    return str(value)


def values_fingerprint(label: str, values: Iterable[tuple[str, object]]) -> str:
    """sha256 (hex) of a row's (column, value) pairs, in a canonical text."""
    body = canonical_bytes({"model": label, "values": {name: _canonical(value) for name, value in values}})
    return hashlib.sha256(body).hexdigest()


def fingerprint(row: Model | None) -> str:
    """The fingerprint of a row's stored values: every concrete field, the primary
    key included (a print never matches another row holding the same figures).
    Reads the instance only, never the database."""
    if row is None:
        return ABSENT
    return values_fingerprint(
        row._meta.label, ((field.attname, field.value_from_object(row)) for field in row._meta.concrete_fields)
    )


def _row_now(model: type[Model], pk: object, *, lock: bool = True) -> Model | None:
    """The row as stored now; to be saved (`lock`) inside a transaction, locked
    until it ends, so no other save lands between this check and this save."""
    # Ordered by the key alone: the model's own ordering may join nullable rows,
    # which PostgreSQL will not lock.
    rows = model._base_manager.filter(pk=pk).order_by("pk")
    if lock and transaction.get_connection(router.db_for_write(model)).in_atomic_block:
        rows = rows.select_for_update()
    return rows.first()


def _last_record(model: type[Model], pk: object) -> Model | None:
    if pk is None:
        return None
    try:
        history = get_history_manager_for_model(model)
    except NotHistoricalModelError:
        return None
    return (
        history.filter(**{model._meta.pk.attname: pk})
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
        .first()
    )


def _name(row: Model) -> str:
    try:
        return str(row)
    except ObjectDoesNotExist:
        return f"#{row.pk}"


def _who_and_when(record: Model | None) -> str:
    if record is None:
        return ""
    who = f" by {record.history_user.get_username()}" if record.history_user_id else ""
    return f"{who} on {moment_text(record.history_date)}"


REOPEN = "Your changes were not saved. Reopen the page to see the current values, then make your changes again."


def stale_message(model: type[Model], pk: object, now: Model | None, *, opened: str) -> str:
    """Why an edit of row `pk` is refused: it was changed or deleted after the page
    was opened (by whom and when, if its history says), or the page did not say
    how the row looked when it was opened."""
    record = _last_record(model, pk)
    shown = now if now is not None else (record.instance if record is not None else None)
    subject = f"The {model._meta.verbose_name} “{_name(shown) if shown is not None else f'#{pk}'}”"
    if not opened:
        return f"{subject} could not be checked for changes made since this page was opened. {REOPEN}"
    if now is None:
        deleted = record if record is not None and record.history_type == "-" else None
        return f"{subject} was deleted{_who_and_when(deleted)} after you opened this page. {REOPEN}"
    # The latest history record names who made the row what it is now, unless the
    # row was changed since without a record (QuerySet.update, bulk imports).
    maker = record if record is not None and fingerprint(record.instance) == fingerprint(now) else None
    return f"{subject} was changed{_who_and_when(maker)} after you opened this page. {REOPEN}"


class OpenedAsField(forms.CharField):
    """The row's fingerprint as the page was opened: bookkeeping, never an edit."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, label="", **kwargs)

    def has_changed(self, initial, data) -> bool:
        return False


class StaleCheckForm(forms.ModelForm):
    """A model form that refuses to save a row changed or deleted by someone else
    since the form was opened.

    Only a form that changes something is checked: a row shown but left alone
    is not written back, so it does not block the rest of the page. "Changed"
    is Django's `has_changed()`, against the row as stored now: a row whose
    shown values someone else changed would be written back with the old
    values, so it counts as changed and is refused.

    A re-displayed refused form keeps the fingerprint it was opened with, so
    submitting it again stays refused until the page is reopened.
    """

    opened_as = OpenedAsField()

    # A form on its own page is saved even when nothing in it changed; an inline
    # formset saves only its changed rows (StaleCheckFormSet sets this False).
    saved_unchanged = True

    def __init__(self, *args, saved_unchanged: bool | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if saved_unchanged is not None:
            self.saved_unchanged = saved_unchanged
        if not self.is_bound and OPENED_AS not in self.initial:
            self.initial[OPENED_AS] = self._opened_fingerprint()

    def _opened_fingerprint(self) -> str:
        if self.instance._state.adding:
            return ""
        if to_historic(self.instance) is not None:
            # A history page reverting the row: the row as stored now is what it would overwrite.
            return fingerprint(_row_now(self._meta.model, self.instance.pk, lock=False))
        return fingerprint(self.instance)

    def clean(self) -> dict:
        cleaned = super().clean()
        self.stale_problem = self._stale_problem()
        if self.stale_problem and not self.refused_by_formset():
            raise ValidationError(self.stale_problem, code="stale")
        return cleaned

    def refused_by_formset(self) -> bool:
        """A row marked for deletion (Django ignores its errors), or one deleted since
        the page was opened (the admin no longer shows its form): the formset
        refuses them, above its rows."""
        return bool(self.cleaned_data.get(DELETION_FIELD_NAME)) or (
            self.instance._state.adding and self.cleaned_data.get(OPENED_AS, "") not in ("", ABSENT)
        )

    def _stale_problem(self) -> str | None:
        if not (self.saved_unchanged or self.has_changed()):
            return None
        model = self._meta.model
        opened = self.cleaned_data.get(OPENED_AS) or ""
        deleting = bool(self.cleaned_data.get(DELETION_FIELD_NAME))
        if self.instance._state.adding:
            if opened in ("", ABSENT) or deleting:
                return None
            # A formset row that was stored when the page was opened and is gone now.
            try:
                pk = model._meta.pk.to_python(self.data.get(self.add_prefix(model._meta.pk.name)))
            except ValidationError:
                pk = None
            return stale_message(model, pk, None, opened=opened)
        now = _row_now(model, self.instance.pk)
        if fingerprint(now) == opened or (now is None and deleting):
            return None
        if not self.has_changed() and fingerprint(now) == fingerprint(self.instance):
            return None
        return stale_message(model, self.instance.pk, now, opened=opened)


class StaleCheckFormSet(BoundedInlineFormSet):
    """An inline formset of StaleCheckForms: only changed rows are saved, so only
    changed rows are checked. A row marked for deletion that someone else changed,
    and a row someone else deleted, since the page was opened are refused by the
    formset: Django ignores the errors of the first and does not show the second."""

    def get_form_kwargs(self, index: int | None) -> dict:
        return {**super().get_form_kwargs(index), "saved_unchanged": False}

    def clean(self) -> None:
        super().clean()
        refused = [
            form.stale_problem
            for form in self.forms
            if getattr(form, "stale_problem", None) and form.refused_by_formset()
        ]
        if refused:
            raise ValidationError(refused)


def _with_opened_as(fieldsets: list, *, editable: bool) -> list:
    """`fieldsets` with the hidden opened_as field last in the first one, on a page
    that can save a stored row; without it on a read-only page, where it would
    show as an empty read-only field."""
    fieldsets = [
        (name, {**options, "fields": [field for field in options["fields"] if field != OPENED_AS]})
        for name, options in fieldsets
    ]
    if editable and fieldsets:
        fieldsets[0][1]["fields"].append(OPENED_AS)
    return fieldsets


class StaleCheckAdmin:
    """A ModelAdmin mixin: its change page and its history's revert page refuse
    stale edits. A custom `form` must derive from StaleCheckForm."""

    form = StaleCheckForm

    def get_fieldsets(self, request: HttpRequest, obj: Model | None = None) -> list:
        editable = obj is not None and self.has_change_permission(request, obj)
        return _with_opened_as(super().get_fieldsets(request, obj), editable=editable)

    def history_form_view(self, request: HttpRequest, object_id: str, version_id: str, extra_context=None):
        """Reverting from history saves the row: in one transaction, so the check holds its lock."""
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)


class StaleCheckInline(BoundedInline):
    """An InlineModelAdmin mixin: rows edited inline refuse stale edits, each on its
    own row. A custom `form` must derive from StaleCheckForm, a custom `formset`
    from StaleCheckFormSet."""

    form = StaleCheckForm
    formset = StaleCheckFormSet

    def get_fieldsets(self, request: HttpRequest, obj: Model | None = None) -> list:
        editable = obj is not None and self.has_change_permission(request, obj)
        return _with_opened_as(super().get_fieldsets(request, obj), editable=editable)
