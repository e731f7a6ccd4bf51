"""Reading and posting admin pages the way a browser does."""

import html
import re

from django import forms
from django.db.models import Model
from django.forms.formsets import BaseFormSet
from django.http import HttpResponse
from django.urls import reverse


def admin_url(model: type[Model], view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def change_url(row: Model) -> str:
    return admin_url(type(row), "change", row.pk)


def page_data(response: HttpResponse) -> dict[str, str]:
    """The POST body a browser would send for an admin add or change page as
    rendered: every field of the main form and of each stored inline row."""
    data: dict[str, str] = {}
    _add_form(data, response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for form in formset.initial_forms:
            _add_form(data, form)
        stored = str(formset.initial_form_count())
        data.update(
            {
                f"{formset.prefix}-TOTAL_FORMS": stored,
                f"{formset.prefix}-INITIAL_FORMS": stored,
                f"{formset.prefix}-MIN_NUM_FORMS": "0",
                f"{formset.prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


def add_row(data: dict[str, str], prefix: str, values: dict[str, str]) -> None:
    """Fill in one more inline row, as the "Add another" link does."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data.update({f"{prefix}-{index}-{name}": value for name, value in values.items()})
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)


def _add_form(data: dict[str, str], form: forms.BaseForm) -> None:
    for name, field in form.fields.items():
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(field, forms.NullBooleanField):
            data[key] = {True: "true", False: "false"}.get(value, "unknown")
        elif isinstance(field, forms.BooleanField):
            if value:
                data[key] = "on"
        elif value is not None:
            data[key] = str(value)


def shown_errors(response: HttpResponse) -> list[str]:
    """Every error message the page shows: main form, inline rows and inline formsets."""
    messages = list(_form_errors(response.context["adminform"].form))
    for inline in response.context["inline_admin_formsets"]:
        formset: BaseFormSet = inline.formset
        messages.extend(formset.non_form_errors())
        for form in formset.forms:
            messages.extend(_form_errors(form))
    return messages


def _form_errors(form: forms.BaseForm) -> list[str]:
    return [message for errors in form.errors.values() for message in errors]


def table_rows(response: HttpResponse) -> list[str]:
    """The text of every table row on the page, one string per row, as a reader
    sees it: tags dropped, entities decoded, white space folded."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", response.content.decode(), re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows]
