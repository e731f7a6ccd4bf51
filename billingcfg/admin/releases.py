"""Releases and API keys in the admin: the Publish page (what blocks publishing,
the warnings, and the diff between the active release and the draft), the
release list and each release's page with its diff and a restore button, and
API keys whose full key is shown once.

The services in billingcfg.releases.services, billingcfg.releases.restore and pricing.diff do
the work; this module formats what they return and calls them."""

import re
from datetime import datetime
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminRadioSelect
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from billingcfg.admin.margins import NO_POLICY
from billingcfg.core.text import (
    NOT_PRICED,
    change_text,
    flag_badges,
    load_summary,
    margin_cell,
    moment_text,
    usage_text,
)
from billingcfg.models import Product
from billingcfg.release_models import ApiKey, ApiScope, Release
from billingcfg.releases import services as releases
from billingcfg.releases.api_keys import api_key_issue, api_key_revoke, products_problem
from billingcfg.releases.services import PUBLISH_PERMISSION
from pricing.money import Band, format_band, format_exact
from pricing.validation import STALE_COST

STALE_DRAFT = "The draft changed since you opened this page; review the new diff."


# ---- the diff, as shown ----------------------------------------------------------------------


def _decimal(text) -> Decimal | None:
    return None if text is None else Decimal(str(text))


def _credits_text(value) -> str:
    return NOT_PRICED if value is None else format_exact(_decimal(value))


def _cost_text(cost: dict | None) -> str:
    if cost is None:
        return NOT_PRICED
    return format_band(Band(Decimal(cost["low"]), Decimal(cost["high"])), cost.get("currency"))


def _target(document: dict | None) -> Decimal | None:
    """A product document's target (the low end of a range); a schema-1 document's policy's."""
    product = (document or {}).get("product") or (document or {}).get("policy") or {}
    return _decimal(product.get("target_gross_margin"))


def _field_value(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_field_value(item) for item in value) or "(none)"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_field_value(item)}" for key, item in value.items())
    return str(value)


KIND_LABELS = {
    "policy": "Pricing policy",
    "product": "Products",
    "currency": "Currencies",
    "exchange_rate": "Exchange rates",
    "meter": "Meters",
    "provider": "Providers",
    "credit_pack": "Credit packs",
    "subscription_plan": "Subscription plans",
    "model": "Models",
    "variant": "Variants",
    "provider_cost": "Provider costs",
    "credit_rate": "Credit rates",
    "workflow": "Workflows",
    "workflow_step": "Workflow steps",
    "alert_threshold": "Alert thresholds",
}


def _price_line(price: dict, variants: dict, old_target, new_target) -> dict:
    margin = price["margin"]
    return {
        "model": price["model"],
        "variant": price["variant"],
        "change": variants.get((price["model"], price["variant"]), "changed"),
        "usage_old": usage_text(price["usage_old"]),
        "usage_new": usage_text(price["usage_new"]),
        "credits_old": _credits_text(price["credits"]["old"]),
        "credits_new": _credits_text(price["credits"]["new"]),
        "credits_change": change_text(price["change"]),
        "cost_old": _cost_text(price["cost"]["old"]),
        "cost_new": _cost_text(price["cost"]["new"]),
        "lowest_old": margin_cell(margin["lowest"]["old"], old_target, at="lowest"),
        "lowest_new": margin_cell(margin["lowest"]["new"], new_target, at="lowest"),
        "basis_old": margin_cell(margin["basis"]["old"], old_target, at="basis"),
        "basis_new": margin_cell(margin["basis"]["new"], new_target, at="basis"),
        "flags_old": flag_badges(price["flags"]["old"] or ()) if price["credits"]["old"] is not None else "",
        "flags_new": flag_badges(price["flags"]["new"] or ()) if price["credits"]["new"] is not None else "",
    }


def _per_text(old: int | None, new: int | None) -> str:
    """How many units the credits and the cost are for: '' for one, '1,000,000', or '8 → 1' when it changed."""

    def shown(per):
        return "1" if per == 1 else f"{per:,}"

    if old is not None and new is not None and old != new:
        return f"{shown(old)} → {shown(new)}"
    per = new if new is not None else old
    return "" if per in (None, 1) else shown(per)


def _row_line(row: dict, old_target, new_target) -> dict:
    margin = row["margin"]
    # A row missing from one side has no unit there.
    was, now = row["per_units"]["old"] is not None, row["per_units"]["new"] is not None
    return {
        "model": row["model"],
        "variant": row["variant"],
        "meter": row["meter"],
        "tier": row["tier"],
        "per": _per_text(row["per_units"]["old"], row["per_units"]["new"]),
        "change": "added" if not was else "removed" if not now else "changed",
        "credits_old": _credits_text(row["credits"]["old"]),
        "credits_new": _credits_text(row["credits"]["new"]),
        "cost_old": _cost_text(row["cost"]["old"]),
        "cost_new": _cost_text(row["cost"]["new"]),
        "lowest_old": margin_cell(margin["lowest"]["old"], old_target, at="lowest"),
        "lowest_new": margin_cell(margin["lowest"]["new"], new_target, at="lowest"),
        "basis_old": margin_cell(margin["basis"]["old"], old_target, at="basis"),
        "basis_new": margin_cell(margin["basis"]["new"], new_target, at="basis"),
        "flags_old": flag_badges(row["flags"]["old"]) if was else "",
        "flags_new": flag_badges(row["flags"]["new"]) if now else "",
    }


def diff_context(old: releases.Documents | None, new: releases.Documents) -> dict:
    """What the diff partial shows: the summary, every changed entity with its fields'
    old and new values, and for each product its prices (old and new credits and
    margins side by side, at that product's own credit and target) and changed price rows."""
    diff = releases.configuration_diff(old, new)
    variants = {
        (change["ids"]["model"], change["ids"]["variant"]): change["change"]
        for change in diff["changes"]
        if change["kind"] == "variant"
    }
    groups: dict[str, list] = {}
    for change in diff["changes"]:
        groups.setdefault(change["kind"], []).append(
            {
                "key": change["key"],
                "change": change["change"],
                "fields": [
                    {"name": name, "old": _field_value(values["old"]), "new": _field_value(values["new"])}
                    for name, values in change["fields"].items()
                ],
            }
        )
    products = []
    for slug in dict.fromkeys(item["product"] for key in ("prices", "rows") for item in diff[key]):
        old_document = old.products.get(slug) if old else None
        new_document = new.products.get(slug)
        old_target, new_target = _target(old_document), _target(new_document)
        shown = new_document or old_document or {}
        products.append(
            {
                "slug": slug,
                "name": (shown.get("product") or {}).get("name") or slug,
                "reporting_currency": shown.get("reporting_currency") or "",
                "change": "added" if old_document is None else "removed" if new_document is None else "",
                "prices": [
                    _price_line(price, variants, old_target, new_target)
                    for price in diff["prices"]
                    if price["product"] == slug
                ],
                "price_rows": [
                    _row_line(row, old_target, new_target) for row in diff["rows"] if row["product"] == slug
                ],
            }
        )
    return {
        "summary": diff["summary"],
        "products_diff": products,
        "prices": diff["prices"],
        "price_rows": diff["rows"],
        "change_groups": [
            {"kind": kind, "label": KIND_LABELS.get(kind, kind), "changes": changes} for kind, changes in groups.items()
        ],
        "unchanged": not diff["changes"] and not diff["prices"] and not diff["rows"],
        "first_release": old is None,
    }


PRODUCT_PLACE = re.compile(r"^product '([^']+)', ")


def problem_groups(problems, names: dict[str, str]) -> list[dict]:
    """Problems or warnings grouped by the product they name (validate_products prefixes
    a product's own with "product 'slug', "); the shared tables' come first."""
    groups: dict[str, list] = {}
    for problem in problems:
        found = PRODUCT_PLACE.match(problem.place)
        groups.setdefault(found.group(1) if found else "", []).append(problem)
    return [
        {
            "slug": slug,
            "label": f"{names.get(slug, slug)} ({slug})" if slug else "Shared tables (every product)",
            "problems": rows,
        }
        for slug, rows in groups.items()
    ]


def validation_context(validation, products: dict[str, dict]) -> dict:
    """The Publish page's problems and warnings per product, stale costs apart."""
    names = {slug: (document.get("product") or {}).get("name") or slug for slug, document in products.items()}
    warnings = [warning for warning in validation.warnings if warning.rule != STALE_COST]
    return {
        "problems": validation.errors,
        "warnings": warnings,
        "problem_groups": problem_groups(validation.errors, names),
        "warning_groups": problem_groups(warnings, names),
        "stale_costs": [warning for warning in validation.warnings if warning.rule == STALE_COST],
        "stale_days": settings.COST_STALE_DAYS,
    }


# ---- the Publish form ------------------------------------------------------------------------


class PublishForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="What changed and why: the backend teams read it in the release list.",
    )
    when = forms.ChoiceField(
        choices=[("now", "Now"), ("later", "At a later time (scheduled)")],
        initial="now",
        widget=AdminRadioSelect(attrs={"class": "radiolist inline"}),
        label="Takes effect",
    )
    effective_at = forms.DateTimeField(
        required=False,
        label="Effective at (UTC)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="For a scheduled release: the active release stays in force until then.",
    )
    confirm = forms.BooleanField(label="I have read the problems, the warnings and the diff above")
    draft_sha256 = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("when") != "later":
            cleaned["effective_at"] = None
            return cleaned
        effective_at = cleaned.get("effective_at")
        if effective_at is None:
            if "effective_at" not in self.errors:
                self.add_error("effective_at", "Choose the date and time the release takes effect, or choose now.")
            return cleaned
        if effective_at <= releases.now():
            self.add_error("effective_at", f"{moment_text(effective_at)} is in the past: choose now or a later time.")
        return cleaned


def _draft_hash(document: dict) -> str:
    return releases.draft_sha256(document)


# ---- releases --------------------------------------------------------------------------------


def _status(release: Release, active: Release | None, at: datetime) -> str:
    return releases.release_status(
        version=release.version,
        effective_at=release.effective_at,
        active_version=active.version if active else None,
        at=at,
        withdrawn=hasattr(release, "withdrawal"),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Why it is withdrawn: kept with the release and shown in the release list and the API.",
    )


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    """Releases are read, never changed: a list, a page per release with its diff
    against the one before, Publish and Restore for publishers."""

    list_display = ["version_label", "note", "publisher", "published_at", "effective_at", "status"]
    list_display_links = ["version_label"]
    list_select_related = ["withdrawal"]
    search_fields = ["note", "published_by_name"]
    ordering = ["-version"]
    change_list_template = "admin/releases/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Release | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Release | None = None) -> bool:
        return False

    @staticmethod
    def can_publish(request: HttpRequest) -> bool:
        return request.user.has_perm(PUBLISH_PERMISSION)

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("publish/", view(self.publish_view), name=f"{prefix}_publish"),
            path("<path:object_id>/restore/", view(self.restore_view), name=f"{prefix}_restore"),
            path("<path:object_id>/withdraw/", view(self.withdraw_view), name=f"{prefix}_withdraw"),
            *super().get_urls(),
        ]

    # -- the list: status from one query for the active release

    def get_changelist_instance(self, request: HttpRequest):
        changelist = super().get_changelist_instance(request)
        moment = releases.now()
        active = releases.active_release_get(at=moment)
        for release in changelist.result_list:
            release.status_shown = _status(release, active, moment)
        return changelist

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        return super().changelist_view(request, {**(extra_context or {}), "can_publish": self.can_publish(request)})

    @admin.display(description="version", ordering="version")
    def version_label(self, obj: Release) -> str:
        return str(obj)

    @admin.display(description="published by", ordering="published_by_name")
    def publisher(self, obj: Release) -> str:
        return obj.published_by_name or self.get_empty_value_display()

    @admin.display(description="status")
    def status(self, obj: Release) -> str:
        return getattr(obj, "status_shown", "")

    # -- one release, read-only, with its diff against the version before

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        release = self.get_object(request, unquote(object_id))
        if release is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if request.method == "POST" or not self.has_view_permission(request, release):
            raise PermissionDenied
        previous = releases.release_previous_get(version=release.version)
        old = releases.release_documents(previous) if previous else None
        moment = releases.now()
        active = releases.active_release_get(at=moment)
        shown_status = _status(release, active, moment)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Release {release}",
            "release": release,
            "status": shown_status,
            "withdrawal": getattr(release, "withdrawal", None),
            "withdraw_url": (
                reverse("admin:billingcfg_release_withdraw", args=[release.pk])
                if shown_status == releases.SCHEDULED and self.can_publish(request)
                else ""
            ),
            "previous": previous,
            "api_url": f"/api/v1/releases/{release.version}/",
            "can_restore": self.can_publish(request),
            "restore_url": reverse("admin:billingcfg_release_restore", args=[release.pk]),
            **diff_context(old, releases.release_documents(release)),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/releases/release_detail.html", context)

    # -- restore an old release into the draft

    def restore_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.can_publish(request):
            raise PermissionDenied(
                "Restoring a release into the draft needs the publisher role. "
                "Ask a publisher, or an administrator to give you the role."
            )
        release = self.get_object(request, unquote(object_id))
        if release is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if request.method == "POST":
            from billingcfg.releases.restore import LoadError, release_restore

            try:
                result = release_restore(version=release.version, user=request.user)
            except LoadError as problem:
                messages.error(request, f"{release} could not be restored, and the draft was not changed: {problem}")
                return HttpResponseRedirect(reverse("admin:billingcfg_release_change", args=[release.pk]))
            messages.success(
                request,
                f"Restored {release} into the draft ({load_summary(result)}). Review the "
                "diff below and publish when it is right; no release was changed.",
            )
            return HttpResponseRedirect(reverse("admin:billingcfg_release_publish"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Restore {release} into the draft?",
            "release": release,
            "release_url": reverse("admin:billingcfg_release_change", args=[release.pk]),
        }
        return TemplateResponse(request, "admin/releases/restore_confirm.html", context)

    # -- withdraw a scheduled release before it takes effect

    def withdraw_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.can_publish(request):
            raise PermissionDenied(
                "Withdrawing a scheduled release needs the publisher role. "
                "Ask a publisher, or an administrator to give you the role."
            )
        release = self.get_object(request, unquote(object_id))
        if release is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        release_url = reverse("admin:billingcfg_release_change", args=[release.pk])
        form = WithdrawForm(request.POST if request.method == "POST" else None)
        refused = ""
        if request.method == "POST" and form.is_valid():
            try:
                releases.release_withdraw(
                    version=release.version, reason=form.cleaned_data["reason"], user=request.user
                )
            except releases.WithdrawRefused as problem:
                refused = str(problem)
            except ValueError as problem:
                form.add_error("reason", str(problem))
            else:
                self.log_change(request, release, f"Withdrew {release}: {form.cleaned_data['reason'].strip()}")
                active = releases.active_release_get()
                messages.success(
                    request,
                    f"Withdrew {release}: it will not take effect{f'; {active} stays in force' if active else ''}.",
                )
                return HttpResponseRedirect(release_url)
        elif request.method != "POST":
            refused = releases.withdraw_problem(release, at=releases.now()) or ""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Withdraw {release}?",
            "release": release,
            "release_url": release_url,
            "form": form,
            "refused": refused,
            "active": releases.active_release_get(),
        }
        return TemplateResponse(request, "admin/releases/withdraw_confirm.html", context)

    # -- publish the draft

    def publish_view(self, request: HttpRequest) -> HttpResponse:
        if not self.can_publish(request):
            raise PermissionDenied(
                "Publishing needs the publisher role. You can edit the draft; a publisher reviews and publishes it."
            )
        check = releases.draft_check()
        if not check.products:
            return self._publish_page(request, check=None, form=None)
        shown_hash = _draft_hash(check.document)
        if request.method != "POST":
            form = PublishForm(initial={"draft_sha256": shown_hash})
            return self._publish_page(request, check=check, form=form)

        form = PublishForm(request.POST)
        if request.POST.get("draft_sha256") != shown_hash:
            kept = {name: request.POST.get(name, "") for name in ("note", "when", "effective_at")}
            form = PublishForm(initial={**kept, "draft_sha256": shown_hash})
            return self._publish_page(request, check=check, form=form, stale=True)
        if not form.is_valid():
            return self._publish_page(request, check=check, form=form)
        try:
            release = releases.release_publish(
                note=form.cleaned_data["note"],
                user=request.user,
                effective_at=form.cleaned_data["effective_at"],
                reviewed_sha256=shown_hash,
            )
        except releases.DraftChanged:
            # Saved between this page's check and the publish: the same answer as above.
            check = releases.draft_check()
            kept = {name: request.POST.get(name, "") for name in ("note", "when", "effective_at")}
            form = PublishForm(initial={**kept, "draft_sha256": _draft_hash(check.document)})
            return self._publish_page(request, check=check, form=form, stale=True)
        except releases.PublishRefused as refused:
            return self._publish_page(request, check=check, form=form, refused=refused.validation)
        except ValueError as problem:
            form.add_error("effective_at" if form.cleaned_data["effective_at"] else None, str(problem))
            return self._publish_page(request, check=check, form=form)
        active = releases.active_release_get()
        message = f"Published {release}, effective {moment_text(release.effective_at)}"
        if active is not None and active.pk != release.pk:
            message += f"; {active} stays active until then"
        messages.success(request, message + ".")
        for later in releases.releases_scheduled_after(at=release.effective_at):
            messages.warning(request, releases.later_release_warning(later))
        return HttpResponseRedirect(reverse("admin:billingcfg_release_change", args=[release.pk]))

    def _publish_page(self, request: HttpRequest, *, check, form, stale: bool = False, refused=None):
        moment = releases.now()
        active = releases.active_release_get(at=moment)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Publish the draft",
            "active": active,
            "scheduled": [
                {
                    "release": later,
                    "warning": releases.later_release_warning(later),
                    "withdraw_url": reverse("admin:billingcfg_release_withdraw", args=[later.pk]),
                }
                for later in releases.releases_scheduled_after(at=moment)
            ],
            "form": form,
            "stale": STALE_DRAFT if stale else "",
            "no_policy": NO_POLICY if check is None else "",
        }
        if check is not None:
            validation = refused or check.validation
            context.update(
                **validation_context(validation, check.products),
                refused=refused is not None,
                **diff_context(releases.release_documents(active) if active else None, check),
            )
        return TemplateResponse(request, "admin/releases/publish.html", context)


# ---- API keys --------------------------------------------------------------------------------


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="What the key may read. config:read is what a backend needs to price requests.",
    )
    products = forms.ModelMultipleChoiceField(
        queryset=Product.objects.order_by("sort_order", "slug"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The products whose configuration, quotes and thresholds the key may read: a backend's own app.",
    )

    class Meta:
        model = ApiKey
        fields = ["name", "scopes", "products", "all_products"]

    def clean(self):
        cleaned = super().clean()
        problem = products_problem(cleaned.get("products") or (), all_products=bool(cleaned.get("all_products")))
        if problem and "products" not in self.errors:
            self.add_error("products", problem)
        return cleaned


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Made here, the full key is shown once, in the message after saving; only its
    hash is stored and nothing here shows the hash. Keys are revoked, not deleted,
    so the list keeps who had access and when."""

    form = ApiKeyForm
    list_display = [
        "name",
        "prefix",
        "scopes_shown",
        "products_shown",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["created_by"]
    search_fields = ["name", "prefix"]
    ordering = ["name"]
    actions = ["revoke"]
    READ_ONLY = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at"]

    def has_delete_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        return False

    FIELDS = ["name", "scopes", "products", "all_products"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("products")

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None):
        return self.FIELDS if obj is None else [*self.FIELDS, *self.READ_ONLY]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None):
        return [] if obj is None else self.READ_ONLY

    @admin.display(description="scopes")
    def scopes_shown(self, obj: ApiKey) -> str:
        return ", ".join(obj.scopes or ()) or self.get_empty_value_display()

    @admin.display(description="products")
    def products_shown(self, obj: ApiKey) -> str:
        if obj.all_products:
            return "all products"
        return ", ".join(product.slug for product in obj.products.all()) or self.get_empty_value_display()

    def save_model(self, request: HttpRequest, obj: ApiKey, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        obj.full_key_shown_once = api_key_issue(obj, user=request.user, products=form.cleaned_data["products"])

    def response_add(self, request: HttpRequest, obj: ApiKey, post_url_continue=None):
        key = getattr(obj, "full_key_shown_once", None)
        if key:
            messages.success(
                request,
                f"The key for “{obj.name}” is {key} — copy it now; it is not stored "
                f"and cannot be shown again. The admin shows it by its prefix, {obj.prefix}.",
            )
        return super().response_add(request, obj, post_url_continue)

    @admin.action(description="Revoke the selected API keys", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        moment = timezone.now()
        revoked = [key for key in queryset if api_key_revoke(key, at=moment)]
        for key in revoked:
            self.log_change(request, key, f"Revoked the key {key.prefix}.")
        if revoked:
            names = ", ".join(f"{key.name} ({key.prefix})" for key in revoked)
            messages.success(
                request,
                f"Revoked {len(revoked)} key{'s' if len(revoked) != 1 else ''}: {names}. "
                "Requests with them are refused from now on.",
            )
        else:
            messages.info(request, "The selected keys were revoked already.")
