"""The admin's workbook page (/admin/workbook/): export the whole configuration
as one XLSX workbook; upload one, read the preview of every sheet, confirm.

Between preview and confirm the file waits in the cache all app servers share
(`billingcfg.core.uploads`), keyed by its sha256; confirming checks that neither the file nor the draft has
changed since the preview, so what is written is what was reviewed."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from billingcfg.core.uploads import upload_forget, upload_keep, upload_kept
from billingcfg.releases.services import DraftChanged
from billingcfg.sheets.resources import WORKBOOK_RESOURCES
from billingcfg.sheets.workbook import XLSX_CONTENT_TYPE, WorkbookError, size_check, workbook_export, workbook_import

UPLOAD_KIND = "workbook"


def _may(user, actions) -> bool:
    return all(
        user.has_perm(f"{R._meta.model._meta.app_label}.{action}_{R._meta.model._meta.model_name}")
        for R in WORKBOOK_RESOURCES.values()
        for action in actions
    )


def may_export(user) -> bool:
    return _may(user, ("view",))


def may_import(user) -> bool:
    return _may(user, ("add", "change"))


class UploadForm(forms.Form):
    workbook = forms.FileField(help_text="An XLSX workbook with one sheet per table, as exported here.")

    def clean_workbook(self):
        upload = self.cleaned_data["workbook"]
        try:
            size_check(upload.size, name=upload.name)
        except WorkbookError as error:
            raise forms.ValidationError(str(error)) from None
        # Whether it is an XLSX workbook this reads is the preview's first step (`workbook_import`): its
        # refusal lands on this field, and the archive is scanned once.
        return upload.name, upload.read()


class ConfirmForm(forms.Form):
    file_sha256 = forms.CharField(widget=forms.HiddenInput)
    file_name = forms.CharField(widget=forms.HiddenInput)
    draft_sha256 = forms.CharField(widget=forms.HiddenInput)


def _preview(request, *, name: str, data: bytes, context: dict) -> TemplateResponse:
    result = workbook_import(data, dry_run=True, user=request.user, file_name=name)
    if result.valid:
        digest = upload_keep(data, kind=UPLOAD_KIND, name=name)
        context["confirm_form"] = ConfirmForm(
            initial={"file_sha256": digest, "file_name": name, "draft_sha256": result.draft_sha256}
        )
    context.update(result=result, previews=result.previews(), file_name=name)
    return TemplateResponse(request, "admin/sheets/workbook.html", context)


def workbook_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not may_export(user):
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        "title": "Configuration workbook",
        "may_import": may_import(user),
        "sheets": list(WORKBOOK_RESOURCES),
        "upload_form": UploadForm(),
    }
    if request.method == "POST":
        if not context["may_import"]:
            raise PermissionDenied
        if "confirm" in request.POST:
            return _confirm(request, context)
        form = context["upload_form"] = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            name, data = form.cleaned_data["workbook"]
            try:
                return _preview(request, name=name, data=data, context=context)
            except WorkbookError as error:
                form.add_error("workbook", str(error))
    return TemplateResponse(request, "admin/sheets/workbook.html", context)


def _confirm(request, context: dict) -> HttpResponse:
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The confirmation was incomplete; upload the workbook again.")
        return redirect("workbook")
    digest, name = form.cleaned_data["file_sha256"], form.cleaned_data["file_name"]
    kept = upload_kept(digest, kind=UPLOAD_KIND)
    if kept is None:
        messages.error(
            request,
            "The previewed file is no longer waiting (previews wait one hour); upload it again. Nothing was imported.",
        )
        return redirect("workbook")
    data = kept["data"]
    try:
        result = workbook_import(
            data,
            dry_run=False,
            user=request.user,
            file_name=name,
            reviewed_draft_sha256=form.cleaned_data["draft_sha256"],
        )
    except DraftChanged:
        messages.warning(
            request,
            "The draft changed since this preview (someone saved a row). Nothing was "
            "imported; here is the preview against the draft as it is now.",
        )
        return _preview(request, name=name, data=data, context=context)
    upload_forget(digest, kind=UPLOAD_KIND)
    if not result.valid:
        messages.error(request, "Nothing was imported: " + " ".join(result.problems()[:10]))
        return redirect("workbook")
    counts = result.previews(limit=0)
    new, changed = sum(p.new for p in counts), sum(p.changed for p in counts)
    messages.success(
        request,
        f"Imported {name}: {new:,} new and {changed:,} changed rows written to the draft "
        "(history records you and the file). Review the margins, then publish.",
    )
    return redirect("workbook")


def workbook_download(request: HttpRequest) -> HttpResponse:
    if not may_export(request.user):
        raise PermissionDenied
    response = HttpResponse(workbook_export(), content_type=XLSX_CONTENT_TYPE)
    stamp = timezone.now().strftime("%Y-%m-%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="configuration-{stamp}.xlsx"'
    return response


workbook = admin.site.admin_view(workbook_page)
workbook_export_view = admin.site.admin_view(workbook_download)
