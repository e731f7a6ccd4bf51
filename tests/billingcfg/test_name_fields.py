"""Names, labels and notes at every door: a formula-like name is refused by the
admin, the workbook import (import_workbook), a restore and any full_clean, each
naming the field and the rule; whatever the admin accepts, names and notes alike,
goes out with export_workbook and comes back with import_workbook unchanged."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import models

from billingcfg.core.formula_text import FORMULA_RULE
from billingcfg.fields import SheetTextField
from billingcfg.releases.document import draft_configuration
from billingcfg.releases.restore import TABLES, LoadError, draft_load
from billingcfg.validators import (
    currency_code_validator,
    name_validator,
    one_line_validator,
    sheet_text_validator,
    slug_validator,
)
from rates.models import AIModel, Meter, Provider, Workflow
from tests.admin.pages import change_url, page_data, shown_errors
from tests.billingcfg.test_formula_text import FORMULA_NAMES, SAFE_NAMES

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x","Veo")'


def _validators(field: models.Field) -> list:
    return list(field.validators)


def exported_text_fields() -> list[tuple[type[models.Model], models.Field]]:
    """Every text column a workbook sheet has (the configuration's own fields)."""
    found = []
    for table in TABLES:
        for name in table.fields:
            field = table.model._meta.get_field(name)
            if isinstance(field, models.CharField | models.TextField) and not field.choices:
                found.append((table.model, field))
    return found


NAME_FIELDS = [(model, field) for model, field in exported_text_fields() if name_validator in _validators(field)]


def test_every_text_column_of_the_workbook_has_its_rule():
    """A name, label or key: not formula-like, one line; free text: what a sheet holds, line feeds only."""
    unguarded = []
    for model, field in exported_text_fields():
        if isinstance(field, SheetTextField):
            ok = sheet_text_validator in _validators(field)
        elif isinstance(field, models.URLField):
            ok = True  # a URL has no blanks, control characters or formula starts
        elif (model.__name__, field.name) == ("CreditRate", "allowed_quantities"):
            ok = True  # numbers, parsed and written back normalised (pricing.quantities)
        else:
            ok = any(
                rule in _validators(field)
                for rule in (name_validator, one_line_validator, slug_validator, currency_code_validator)
            )
        if not ok:
            unguarded.append(f"{model.__name__}.{field.name}")
    assert unguarded == []
    assert {f"{model.__name__}.{field.name}" for model, field in NAME_FIELDS} >= {
        "Currency.name",
        "Currency.symbol",
        "Meter.name",
        "Meter.unit",
        "Provider.name",
        "AIModel.name",
        "Variant.name",
        "Variant.resolution",
        "Variant.mode",
        "Workflow.name",
        "Workflow.unit_label",
        "WorkflowStep.label",
        "CreditPack.name",
        "SubscriptionPlan.name",
        "AlertThreshold.name",
        "AlertThreshold.tier",
    }


@pytest.mark.parametrize("model, field", NAME_FIELDS, ids=lambda x: getattr(x, "name", getattr(x, "__name__", "")))
def test_full_clean_refuses_a_formula_like_name_in_every_name_field(model, field):
    row = model(**{field.name: HYPERLINK})
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    messages = refused.value.message_dict[field.name]
    assert any(FORMULA_RULE in message for message in messages), messages


@pytest.mark.parametrize("name", FORMULA_NAMES)
def test_the_admin_refuses_a_formula_like_model_name_on_the_name_field(admin_client, demo, name):
    model = AIModel.objects.get(slug="veo-3")
    data = page_data(admin_client.get(change_url(model)))
    data["name"] = name

    response = admin_client.post(change_url(model), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["name"]
    assert len(errors) == 1 and errors[0].startswith("'") and errors[0].endswith(FORMULA_RULE)
    assert AIModel.objects.get(pk=model.pk).name == "Veo 3"


def test_the_admin_refuses_a_formula_like_label_on_an_inline_row(admin_client, demo):
    workflow = Workflow.objects.filter(steps__isnull=False).first()
    data = page_data(admin_client.get(change_url(workflow)))
    prefix = next(key for key in data if key.endswith("-TOTAL_FORMS")).removesuffix("-TOTAL_FORMS")
    data[f"{prefix}-0-label"] = "@SUM(A1:A2)"

    response = admin_client.post(change_url(workflow), data)

    assert response.status_code == 200
    assert "'@SUM(A1:A2)' starts with '@': a spreadsheet would run it as a formula; " + FORMULA_RULE in shown_errors(
        response
    )


def export(path: Path) -> Path:
    call_command("export_workbook", str(path), stdout=io.StringIO())
    return path


def import_dry_run(path: Path) -> str:
    out = io.StringIO()
    call_command("import_workbook", str(path), "--dry-run", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_import_workbook_refuses_formula_like_names_naming_sheet_row_column_and_rule(demo, tmp_path):
    path = export(tmp_path / "workbook.xlsx")
    book = openpyxl.load_workbook(path)
    meters = book["meters"]
    unit = [cell.value for cell in meters[1]].index("unit") + 1
    meters.cell(
        row=2, column=unit, value="-2+3"
    )  # a name column (Meter.unit carries the name rule): refused by the cell
    models_sheet = book["models"]
    name = [cell.value for cell in models_sheet[1]].index("name") + 1
    models_sheet.cell(row=3, column=name, value=" =1+1")
    book.save(path)

    with pytest.raises(CommandError) as refused:
        import_dry_run(path)

    problems = str(refused.value).splitlines()[1:]
    assert problems == [
        f"Sheet 'meters', row 2, column 'unit': '-2+3' starts with '-': a spreadsheet would run it as a formula; "
        f"{FORMULA_RULE}",
        f"Sheet 'models', row 3, column 'name': ' =1+1' starts with '=' after blanks: a spreadsheet would run it as "
        f"a formula; {FORMULA_RULE}",
    ]


def test_a_restore_refuses_a_formula_like_name_naming_the_row_field_and_rule(demo):
    configuration = draft_configuration()
    configuration["models"][0]["name"] = "+cmd|' /C calc'!A0"
    slug = configuration["models"][0]["slug"]

    with pytest.raises(LoadError) as refused:
        draft_load(configuration, prune=False, reason="test")

    assert str(refused.value) == (
        f"AI models {slug}: name: '+cmd|' /C calc'!A0' starts with '+': a spreadsheet "
        f"would run it as a formula; {FORMULA_RULE}"
    )


def test_names_and_notes_the_admin_accepts_go_out_and_come_back_unchanged(admin_client, demo, tmp_path):
    """Tricky but legitimate names (an apostrophe before '=', a negative number, look-alike
    signs) and notes typed with line breaks in a text area (sent as CR LF) and starting with '='."""
    meters = list(Meter.objects.order_by("pk")[: len(SAFE_NAMES)])
    for meter, name in zip(meters, SAFE_NAMES, strict=True):
        data = page_data(admin_client.get(change_url(meter)))
        data["name"] = name
        data["description"] = "=1+1 is not a formula here\r\nsecond line\r\n\tindented"
        response = admin_client.post(change_url(meter), data)
        assert response.status_code == 302, shown_errors(response)
    provider = Provider.objects.order_by("pk").first()
    data = page_data(admin_client.get(change_url(provider)))
    data["notes"] = "@ the top\r\n-2+3 below"
    assert admin_client.post(change_url(provider), data).status_code == 302

    report = import_dry_run(export(tmp_path / "workbook.xlsx"))

    lines = [line.split() for line in report.splitlines() if "unchanged" in line]
    assert lines and all(line[1] == line[3] == line[7] == "0" for line in lines), report
    assert sorted(Meter.objects.filter(pk__in=[m.pk for m in meters]).values_list("name", flat=True)) == sorted(
        SAFE_NAMES
    )
