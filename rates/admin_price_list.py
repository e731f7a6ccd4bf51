"""Price lists in the admin: the alias table (entries whose names differ from our
model slugs) and the "Import price list" page — upload a LiteLLM price list,
read the dry-run report (costs that differ, new costs, margins that move worst
first, skipped keys, entries not ours), then apply it to the draft.

The services in rates.price_list_import do the work; this module formats what
they return (for the page and for the import_price_map command) and calls them.
Imported from rates.apps.RatesConfig.ready()."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse

from billingcfg.admin import ConfigAdmin
from billingcfg.admin_margins import flag_badges
from billingcfg.admin_releases import change_text, load_summary, margin_cell
from billingcfg.models import PricingPolicy
from pricing.money import format_exact, format_percent
from pricing.report import FLAG_LABELS
from billingcfg.uploads import size_problem, upload_forget, upload_keep, upload_kept
from rates.models import PriceListAlias, Provider
from rates.price_list_import import reason_for

IMPORT_PERMISSION = "rates.change_providercost"
UPLOAD_KIND = "price-list"
UPLOAD_GONE = ("The uploaded file is no longer here, or differs from the one the report was made from: upload it "
               "again and read the new report. Nothing was written.")
DRAFT_MOVED = ("The draft changed since this report was made (someone saved a row): this is the report against "
               "the draft as it is now. Nothing was written; apply again if it is right.")


# ---- formatting a report, for the page and for the command ------------------------------------

def _amount(value: Decimal | str | None) -> str:
    return "—" if value is None else format_exact(Decimal(value))


def row_label(model: str, variant: str | None, meter: str, tier_threshold: Decimal | None = None) -> str:
    tier = f" above {format_exact(tier_threshold)}" if tier_threshold is not None else ""
    return f"{model} / {variant or 'all variants'} / {meter}{tier}"


def price_text(price: Decimal, currency: str, high: Decimal | None = None) -> str:
    """'0.75 USD', '0.3–0.6 CNY' for a band."""
    band = f"{_amount(price)}–{_amount(high)}" if high is not None else _amount(price)
    return f"{band} {currency}"


def _cost_band(cost: dict | None) -> str:
    if cost is None:
        return "—"
    low, high = Decimal(cost["low"]), Decimal(cost["high"])
    return price_text(low, cost["currency"], high if high != low else None)


def _per(per_units: int | None) -> str:
    return "" if per_units is None else f"{per_units:,}"


def _flags_text(flags) -> str:
    return " ".join(f"[{FLAG_LABELS.get(flag, flag)}]" for flag in flags)


def _change_line(change) -> dict:
    per = _per(change.per_units)
    if change.old_per_units != change.per_units:
        per = f"{_per(change.old_per_units)} → {per}"
    return {
        "row": row_label(change.model, change.variant, change.meter, change.tier_threshold),
        "model": change.model, "variant": change.variant or "all variants", "meter": change.meter,
        "tier": "" if change.tier_threshold is None else f"above {format_exact(change.tier_threshold)}",
        "per": per,
        "old": price_text(change.old_price, change.old_currency, change.old_price_high),
        "new": price_text(change.new_price, change.new_currency),
        "change": change_text(change.change) or "—",
        "rise": change.change is not None and change.change > 0,
        "source": f"{change.entry} {change.key}",
        "rounded": "" if change.unrounded is None else f"rounded from {_amount(change.unrounded)}",
    }


def _added_line(cost) -> dict:
    tiered = cost.tier_threshold is not None
    return {
        "row": row_label(cost.model, cost.variant, cost.meter, cost.tier_threshold),
        "model": cost.model, "variant": cost.variant or "all variants", "meter": cost.meter,
        "tier": f"above {format_exact(cost.tier_threshold)} {cost.tier_meter} (cliff)" if tiered else "",
        "tier_rule": f"(cliff, measured on {cost.tier_meter})" if tiered else "",
        "per": _per(cost.per_units), "new": price_text(cost.price, cost.currency),
        "source": f"{cost.entry} {cost.key}",
        "rounded": "" if cost.unrounded is None else f"rounded from {_amount(cost.unrounded)}",
    }


def _move_line(move, target: Decimal) -> dict:
    return {
        "row": f"{move.model} / {move.variant} / {move.meter}" + (f" {move.tier}" if move.tier else ""),
        "model": move.model, "variant": move.variant, "meter": move.meter, "tier": move.tier,
        "credits": _amount(move.credits), "per": _per(move.per_units),
        "cost_old": _cost_band(move.cost_old), "cost_new": _cost_band(move.cost_new),
        "lowest_old": margin_cell(move.lowest_old, target, at="lowest"),
        "lowest_new": margin_cell(move.lowest_new, target, at="lowest"),
        "basis_old": margin_cell(move.basis_old, target, at="basis"),
        "basis_new": margin_cell(move.basis_new, target, at="basis"),
        "flags": flag_badges(move.flags_new), "flags_text": _flags_text(move.flags_new),
        "loss": move.loss, "below_target": move.below_target,
    }


def _usage(usage: dict | None) -> str:
    return ", ".join(f"{format_exact(Decimal(quantity))} {meter}" for meter, quantity in (usage or {}).items())


def _request_line(price: dict, target: Decimal) -> dict:
    margin = price["margin"]
    credits = price["credits"]["new"] if price["credits"]["new"] is not None else price["credits"]["old"]
    return {
        "model": price["model"], "variant": price["variant"], "usage": _usage(price["usage_new"]),
        "credits": "—" if credits is None else f"{credits:,}",
        "cost_old": _cost_band(price["cost"]["old"]), "cost_new": _cost_band(price["cost"]["new"]),
        "lowest_old": margin_cell(margin["lowest"]["old"], target, at="lowest"),
        "lowest_new": margin_cell(margin["lowest"]["new"], target, at="lowest"),
        "basis_old": margin_cell(margin["basis"]["old"], target, at="basis"),
        "basis_new": margin_cell(margin["basis"]["new"], target, at="basis"),
        "flags": flag_badges(price["flags"]["new"] or ()), "flags_text": _flags_text(price["flags"]["new"] or ()),
    }


def report_context(report) -> dict:
    """What the report template shows."""
    target = report.target_gross_margin
    ours = sorted({entry.model for entry in report.matched})
    return {
        "report": report,
        "models_matched": ours,
        "changes": [_change_line(change) for change in report.changes],
        "added": [_added_line(cost) for cost in report.added],
        "moves": [_move_line(move, target) for move in report.margin_moves],
        "requests": [_request_line(price, target) for price in report.request_prices],
        "skipped": [{"entry": item.entry, "key": item.key or "(whole entry)", "model": item.model or "",
                     "reason": item.reason} for item in report.skipped],
        "target": target,
        "target_text": format_percent(target),
        "reason": reason_for(report.filename),
    }


def report_lines(report, *, all_unmatched: bool = False, unmatched_shown: int = 20) -> list[str]:
    """The report as text, for the command: the same sections as the page, worst first."""
    context = report_context(report)
    providers = f" (providers: {', '.join(report.providers)})" if report.providers else ""
    lines = [
        f"Price list {report.filename} (sha256 {report.sha256[:12]}…): {report.entries:,} entries; "
        f"{len(report.matched):,} priced {len(context['models_matched']):,} of our models{providers}, "
        f"{len(report.unmatched):,} not in our catalogue"
        + (f", {len(report.excluded):,} of other providers" if report.excluded else "") + ".",
    ]
    if context["changes"]:
        lines.append(f"Provider costs that differ ({len(context['changes'])}), largest rise first:")
        lines += [f"  {line['row']}: {line['old']} → {line['new']} per {line['per']} ({line['change']})"
                  f"{'; ' + line['rounded'] if line['rounded'] else ''}  [{line['source']}]"
                  for line in context["changes"]]
    else:
        lines.append("Provider costs that differ: none.")
    if context["added"]:
        lines.append(f"New provider costs ({len(context['added'])}):")
        lines += [f"  {line['row']}{' ' + line['tier_rule'] if line['tier_rule'] else ''}: {line['new']} "
                  f"per {line['per']}  [{line['source']}]" for line in context["added"]]
    if report.unchanged:
        lines.append(f"Unchanged: {report.unchanged:,} provider cost{'s' if report.unchanged != 1 else ''} "
                     "already at the list's price.")
    if context["moves"]:
        lines.append(f"Credit rates whose margins move ({len(context['moves'])}), worst first (gross margin at the "
                     f"lowest credit price and at the basis; target {context['target_text']}):")
        lines += [f"  {line['row']}: {line['credits']} credits per {line['per']}; cost {line['cost_old']} → "
                  f"{line['cost_new']}; at lowest {line['lowest_old']['text']} → {line['lowest_new']['text']}; "
                  f"at basis {line['basis_old']['text']} → {line['basis_new']['text']}"
                  f"{'  ' + line['flags_text'] if line['flags_text'] else ''}" for line in context["moves"]]
    elif report.changes_draft:
        lines.append("Credit rates whose margins move: none (the costs that change are not sold).")
    if context["requests"]:
        lines.append(f"Default requests ({len(context['requests'])}), worst first:")
        lines += [f"  {line['model']} / {line['variant']} ({line['usage']}): {line['credits']} credits; cost "
                  f"{line['cost_old']} → {line['cost_new']}; at lowest {line['lowest_old']['text']} → "
                  f"{line['lowest_new']['text']}; at basis {line['basis_old']['text']} → "
                  f"{line['basis_new']['text']}{'  ' + line['flags_text'] if line['flags_text'] else ''}"
                  for line in context["requests"]]
    if context["skipped"]:
        lines.append(f"Skipped ({len(context['skipped'])}):")
        lines += [f"  {item['entry']} {item['key']}: {item['reason']}" for item in context["skipped"]]
    for title, names in (("Not in our catalogue", report.unmatched), ("Of other providers", report.excluded)):
        if not names:
            continue
        shown = names if all_unmatched else names[:unmatched_shown]
        more = len(names) - len(shown)
        lines.append(f"{title} ({len(names):,}): {', '.join(shown)}"
                     + (f" … and {more:,} more (-v 2 lists them all)" if more else ""))
    return lines


# ---- the upload ----------------------------------------------------------------------------

class PriceListForm(forms.Form):
    file = forms.FileField(
        label="Price list",
        help_text="LiteLLM's model_prices_and_context_window.json, or a file in its format.",
    )
    providers = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple,
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
        info = self.opts.app_label, self.opts.model_name
        return [
            path("import-price-list/", self.admin_site.admin_view(self.import_view),
                 name="%s_%s_import_price_list" % info),
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
        except (ValueError, PricingPolicy.DoesNotExist) as problem:  # PriceListInvalid, ImportRefused
            form.add_error("file", f"{upload.name}: {problem}. Nothing was written.")
            return self._page(request, form=form)
        upload_keep(data, kind=UPLOAD_KIND, name=upload.name, providers=providers)
        return self._page(request, form=PriceListForm(initial={"providers": providers}), report=report)

    def _apply(self, request: HttpRequest) -> HttpResponse:
        from billingcfg.releases import DraftChanged
        from rates.price_list_import import price_list_apply, price_list_check

        digest = request.POST.get("sha256", "")
        kept = upload_kept(digest, kind=UPLOAD_KIND)
        if kept is None:
            return self._page(request, form=PriceListForm(), error=UPLOAD_GONE)
        try:
            report, result = price_list_apply(kept["data"], providers=kept["providers"], user=request.user,
                                              filename=kept["name"],
                                              reviewed_draft_sha256=request.POST.get("draft_sha256", ""))
        except DraftChanged:
            report = price_list_check(kept["data"], providers=kept["providers"], filename=kept["name"])
            return self._page(request, form=PriceListForm(initial={"providers": kept["providers"]}), report=report,
                              error=DRAFT_MOVED)
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
            **(report_context(report) if report is not None else {}),
        }
        return TemplateResponse(request, "admin/rates/price_list/report.html", context)
