"""Files re-saved by a real spreadsheet program import unchanged: the whole
workbook and each table's XLSX and CSV export, opened and saved again by
LibreOffice Calc, then imported through the admin's pages: every row
unchanged, nothing written. (Calc saves yes/no cells as =TRUE() / =FALSE().)

Without LibreOffice these tests skip with a hint; under CI they fail."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from import_export.formats.base_formats import CSV as CSVFormat
from import_export.formats.base_formats import XLSX as XLSXFormat

from billingcfg.admin.sheets import formula_xlsx
from billingcfg.sheets.preview import sheet_preview
from billingcfg.sheets.resources import RESOURCE_OF_MODEL
from billingcfg.sheets.workbook import SHEETS
from rates.models import Provider
from tests.billingcfg.sheets.files import draft_snapshot
from tests.billingcfg.sheets.libreoffice import CSV, SKIPPED, XLSX, LibreOffice, libreoffice_choice, soffice_find
from tests.factories import staff_in

FORMULA_LIKE = '=HYPERLINK("http://example.com","pricing")'


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory) -> LibreOffice:
    action, message = libreoffice_choice(soffice_find(), os.environ)
    if action == "skip":
        pytest.skip(message)
    if action == "fail":
        pytest.fail(message, pytrace=False)
    return LibreOffice(soffice_find(), tmp_path_factory.mktemp("libreoffice-profile"))


def _export(resource_class, fmt: str) -> bytes:
    """A table's export as its admin page writes it (numbers as numbers in XLSX)."""
    if fmt == "xlsx":
        return XLSXFormat().export_data(resource_class().export(force_native_type=True))
    return CSVFormat().export_data(resource_class().export()).encode()


def _import(resource_class, path, *, user):
    """A table's file imported as its admin page does (the preview, then for real)."""
    data = path.read_bytes()
    if path.suffix == ".xlsx":
        dataset = formula_xlsx(resource_class)().create_dataset(data, name=path.name)
    else:
        dataset = CSVFormat(encoding="utf-8-sig").create_dataset(data)
    return resource_class().import_data(dataset, dry_run=False, user=user, file_name=path.name)


@pytest.mark.django_db
def test_every_export_resaved_by_libreoffice_imports_unchanged(client, demo, libreoffice, tmp_path):
    Provider.objects.filter(slug="anthropic").update(notes=FORMULA_LIKE)
    editor = staff_in("editor")
    client.force_login(editor)
    exported = tmp_path / "exported"
    exported.mkdir()
    (exported / "configuration.xlsx").write_bytes(client.get(reverse("workbook_export")).content)
    resources = {resource.sheet_name(): resource for resource in RESOURCE_OF_MODEL.values()}
    for name, resource_class in resources.items():
        for fmt in ("xlsx", "csv"):
            (exported / f"{name}.{fmt}").write_bytes(_export(resource_class, fmt))
    xlsx = libreoffice.resave(sorted(exported.glob("*.xlsx")), to=XLSX, into=tmp_path / "xlsx")
    csv = libreoffice.resave(sorted(exported.glob("*.csv")), to=CSV, into=tmp_path / "csv")
    rows = {name: resource_class._meta.model.objects.count() for name, resource_class in resources.items()}
    before = draft_snapshot()

    workbook = tmp_path / "xlsx" / "configuration.xlsx"
    response = client.post(reverse("workbook"), {"workbook": SimpleUploadedFile(workbook.name, workbook.read_bytes())})
    assert not response.context["upload_form"].errors
    assert [(p.name, p.messages(), p.new, p.changed, p.invalid, p.unchanged) for p in response.context["previews"]] == [
        (name, [], 0, 0, 0, rows[name]) for name in SHEETS
    ]
    done = client.post(
        reverse("workbook"), {**response.context["confirm_form"].initial, "confirm": "Confirm import"}, follow=True
    )
    assert [str(message) for message in done.context["messages"]] == [
        "Imported configuration.xlsx: 0 new and 0 changed rows written to the draft (history records you and the "
        "file). Review the margins, then publish."
    ]
    problems = []
    for path in [path for path in xlsx if path != workbook] + csv:
        result = _import(resources[path.stem], path, user=editor)
        preview = sheet_preview(path.stem, result)
        found = (preview.messages(), preview.new, preview.changed, preview.invalid, preview.unchanged)
        if found != ([], 0, 0, 0, rows[path.stem]):
            problems.append(f"{path.parent.name}/{path.name}: {found}")

    assert problems == []
    assert draft_snapshot() == before
    assert Provider.objects.get(slug="anthropic").notes == FORMULA_LIKE


@pytest.mark.parametrize(
    ("found", "env", "action"),
    [
        ("/usr/bin/soffice", {"CI": "true"}, "run"),
        (None, {}, "skip"),
        (None, {"CI": "true"}, "fail"),
        (None, {"REQUIRE_LIBREOFFICE": "1"}, "fail"),
        (None, {"REQUIRE_LIBREOFFICE": "0"}, "skip"),
    ],
)
def test_without_libreoffice_a_developer_skips_and_ci_fails(found, env, action):
    assert libreoffice_choice(found, env)[0] == action


def test_a_developer_without_libreoffice_is_told_how_to_get_it():
    assert libreoffice_choice(None, {}) == ("skip", SKIPPED)
    assert "apt-get install -y libreoffice-calc-nogui" in libreoffice_choice(None, {"CI": "1"})[1]
