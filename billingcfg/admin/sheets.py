"""Import and export in the admin: CSV, XLSX and JSON on every configuration
table's list (django-import-export's pages, with this project's resources and
preview), and the whole-configuration workbook page."""

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, JSON, XLSX
from import_export.forms import ExportForm, ImportForm

from billingcfg.sheets.preview import sheet_preview
from billingcfg.sheets.resources import RESOURCE_OF_MODEL, SheetError
from billingcfg.sheets.workbook import WorkbookError, file_kind_problem, size_check
from billingcfg.sheets.xlsx import open_workbook, sheet_dataset


class FormulaXLSX(XLSX):
    """An XLSX file's first sheet, read with formulas as formulas (a resource refuses
    them by name) rather than as values a program may have computed long ago, and
    bounded by the table `resource` fills (`formula_xlsx` makes one per table)."""

    resource = None

    def create_dataset(self, in_stream, name: str = "the file"):
        book = open_workbook(in_stream, name=name)
        resource = self.resource()
        dataset = sheet_dataset(book.worksheets[0], resource=resource, name=book.sheetnames[0])
        if not len(dataset):
            # Headers that do not fit were read alone: the import page says why, not "no data".
            try:
                resource.check_headers(dataset.headers)
            except SheetError as error:
                raise WorkbookError(str(error)) from None
        return dataset


def formula_xlsx(resource) -> type[FormulaXLSX]:
    return type("FormulaXLSX", (FormulaXLSX,), {"resource": resource})


class SheetImportForm(ImportForm):
    """The import form, refusing an empty, oversized or mislabelled file before it is read."""

    def __init__(self, formats, resources, **kwargs):
        self.formats = formats
        super().__init__(formats, resources, **kwargs)

    def clean(self):
        cleaned = super().clean()
        upload, chosen = cleaned.get("import_file"), cleaned.get("format")
        if upload is None or chosen in (None, ""):
            return cleaned
        try:
            size_check(upload.size, name=upload.name)
        except WorkbookError as error:
            raise forms.ValidationError({"import_file": str(error)}) from None
        data = upload.read()
        upload.seek(0)
        kind = self.formats[int(chosen)]().get_title().lower()
        problem = None
        if kind == "xlsx":
            try:
                self.formats[int(chosen)]().create_dataset(data, name=upload.name)
            except WorkbookError as error:
                problem = str(error)
        else:
            problem = file_kind_problem(data, kind=kind, name=upload.name)
        if problem:
            raise forms.ValidationError({"import_file": problem})
        return cleaned


class SheetAdminMixin(ImportExportMixin):
    """Import (change permission) and export (view permission) of a table in
    CSV, XLSX and JSON, keyed by slugs, previewed before anything is written."""

    formats = [CSV, XLSX, JSON]
    import_form_class = SheetImportForm
    import_template_name = "admin/sheets/import.html"
    show_change_form_export = False
    # Every column, always: a sheet imports back only with all of its columns.
    export_form_class = ExportForm

    def get_import_formats(self):
        return [CSV, formula_xlsx(RESOURCE_OF_MODEL[self.model]), JSON]

    def get_resource_classes(self, request):
        return [RESOURCE_OF_MODEL[self.model]]

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        result = getattr(response, "context_data", {}).get("result")
        if result is not None:
            resource = RESOURCE_OF_MODEL[self.model]
            preview = sheet_preview(resource.sheet_name(), result)
            response.context_data.update(preview=preview, previews=[preview])
        return response

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            problems = sheet_preview(RESOURCE_OF_MODEL[self.model].sheet_name(), result).messages()
            messages.error(
                request,
                "Nothing was imported: the draft changed since the preview, and the file "
                "no longer imports cleanly. " + " ".join(problems[:10]),
            )
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_import"))
        return super().process_result(result, request)
