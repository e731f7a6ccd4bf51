"""Price lists in the admin: the alias table (entries whose names differ from our
model slugs), the price-list suppliers (LiteLLM's providers → our suppliers) and
the "Import price list" page — upload a LiteLLM price list, read the dry-run
report (costs that differ, new costs, rows held back, negotiated costs kept,
ambiguous rows, margins that move worst first, skipped keys, entries not ours),
tick the held rows to confirm, then apply it to the draft.

The services in rates.price_list_import do the work and rates.price_list_text
words their report (for the page and for the import_price_map command); this
module calls them. Imported from rates.apps.RatesConfig.ready()."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse

from billingcfg.admin.config import ConfigAdmin
from billingcfg.admin.stale import StaleCheckForm
from billingcfg.core.text import load_summary
from billingcfg.core.uploads import size_problem, upload_forget, upload_keep, upload_kept
from billingcfg.models import Product
from rates.models import PriceListAlias, PriceListSupplier, Provider
from rates.price_list import pattern_problem
from rates.price_list_text import report_context

IMPORT_PERMISSION = "rates.change_providercost"
UPLOAD_KIND = "price-list"
UPLOAD_GONE = (
    "The uploaded file is no longer here, or differs from the one the report was made from: upload it "
    "again and read the new report. Nothing was written."
)
DRAFT_MOVED = (
    "The draft changed since this report was made (someone saved a row): this is the report against "
    "the draft as it is now. Nothing was written; apply again if it is right."
)


# ---- the upload ----------------------------------------------------------------------------


class PriceListForm(forms.Form):
    file = forms.FileField(
        label="Price list",
        help_text="LiteLLM's model_prices_and_context_window.json, or a file in its format.",
    )
    providers = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only our models of these providers; none ticked: every provider.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["providers"].choices = list(Provider.objects.order_by("name").values_list("slug", "name"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        problem = size_problem(upload.size, name=f"'{upload.name}'")
        if problem:
            raise forms.ValidationError(problem)
        return upload


# ---- the price-list suppliers -----------------------------------------------------------------


class PriceListSupplierForm(StaleCheckForm):
    class Meta:
        model = PriceListSupplier
        fields = ["pattern", "supplier", "notes"]

    def clean_pattern(self):
        pattern = self.cleaned_data["pattern"]
        problem = pattern_problem(pattern)
        if problem:
            raise forms.ValidationError(problem)
        return pattern


@admin.register(PriceListSupplier)
class PriceListSupplierAdmin(ConfigAdmin):
    form = PriceListSupplierForm
    list_display = ["pattern", "supplier", "notes"]
    list_select_related = ["supplier"]
    search_fields = ["pattern", "supplier__slug", "supplier__name", "notes"]
    autocomplete_fields = ["supplier"]
    ordering = ["pattern"]


# ---- the alias table and its import page ---------------------------------------------------------


@admin.register(PriceListAlias)
class PriceListAliasAdmin(ConfigAdmin):
    list_display = ["name", "model", "variant"]
    list_select_related = ["model", "variant"]
    search_fields = ["name", "model__slug", "model__name", "variant__slug", "notes"]
    autocomplete_fields = ["model", "variant"]
    ordering = ["name"]
    change_list_template = "admin/rates/price_list/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("model", "variant")

    @staticmethod
    def can_import(request: HttpRequest) -> bool:
        return request.user.has_perm(IMPORT_PERMISSION)

    def get_urls(self):
        return [
            path(
                "import-price-list/",
                self.admin_site.admin_view(self.import_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_import_price_list",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        return super().changelist_view(request, {**(extra_context or {}), "can_import": self.can_import(request)})

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.can_import(request):
            raise PermissionDenied
        if request.method == "POST" and "apply" in request.POST:
            return self._apply(request)
        if request.method == "POST":
            form = PriceListForm(request.POST, request.FILES)
            if form.is_valid():
                return self._check(request, form)
            return self._page(request, form=form)
        return self._page(request, form=PriceListForm())

    def _check(self, request: HttpRequest, form: PriceListForm) -> HttpResponse:
        from rates.price_list_import import price_list_check

        upload = form.cleaned_data["file"]
        data, providers = upload.read(), form.cleaned_data["providers"]
        try:
            report = price_list_check(data, providers=providers, filename=upload.name)
        except (ValueError, Product.DoesNotExist) as problem:  # PriceListInvalid, ImportRefused
            form.add_error("file", f"{upload.name}: {problem}. Nothing was written.")
            return self._page(request, form=form)
        upload_keep(data, kind=UPLOAD_KIND, name=upload.name, providers=providers)
        return self._page(request, form=PriceListForm(initial={"providers": providers}), report=report)

    def _apply(self, request: HttpRequest) -> HttpResponse:
        from billingcfg.releases.services import DraftChanged
        from rates.price_list_import import price_list_apply, price_list_check

        digest = request.POST.get("sha256", "")
        kept = upload_kept(digest, kind=UPLOAD_KIND)
        if kept is None:
            return self._page(request, form=PriceListForm(), error=UPLOAD_GONE)
        confirmed = request.POST.getlist("confirm")
        try:
            report, result = price_list_apply(
                kept["data"],
                providers=kept["providers"],
                user=request.user,
                filename=kept["name"],
                reviewed_draft_sha256=request.POST.get("draft_sha256", ""),
                confirmed=confirmed,
            )
        except DraftChanged:
            report = price_list_check(kept["data"], providers=kept["providers"], filename=kept["name"])
            return self._page(
                request, form=PriceListForm(initial={"providers": kept["providers"]}), report=report, error=DRAFT_MOVED
            )
        except ValueError as problem:  # LoadError and the check's own refusals
            return self._page(request, form=PriceListForm(), error=f"{kept['name']}: {problem}. Nothing was written.")
        upload_forget(digest, kind=UPLOAD_KIND)
        self.message_user(request, f"Applied {kept['name']} to the draft: {load_summary(result)}.")
        return self._page(request, form=None, report=report, applied=result)

    def _page(self, request: HttpRequest, *, form, report=None, applied=None, error: str = "") -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import a provider price list",
            "form": form,
            "error": error,
            "applied": applied,
            "applied_summary": load_summary(applied) if applied is not None else "",
            "max_bytes": settings.IMPORT_MAX_BYTES,
            "provider_costs_url": reverse("admin:rates_providercost_changelist"),
            "can_publish": request.user.has_perm("billingcfg.publish_release"),
            "publish_url": reverse("admin:billingcfg_release_publish"),
            "aliases_url": reverse("admin:rates_pricelistalias_changelist"),
            "suppliers_url": reverse("admin:rates_pricelistsupplier_changelist"),
            **(report_context(report) if report is not None else {}),
        }
        return TemplateResponse(request, "admin/rates/price_list/report.html", context)
