"""Releases (the published configuration documents) and API keys. Imported by
`billingcfg.models`; kept apart because neither is part of the draft."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class ImmutableError(Exception):
    """A release is never changed or deleted once stored."""


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError("releases are immutable: publish a new one instead of updating")

    def delete(self):
        raise ImmutableError("releases are immutable: they are never deleted")


class ReleaseQuerySet(ImmutableQuerySet):
    def standing(self):
        """Releases not withdrawn: a withdrawn release is never in force, at any time."""
        return self.filter(withdrawal__isnull=True)

    def effective(self, at):
        """Releases in force at or before `at`, newest first."""
        return self.standing().filter(effective_at__lte=at).order_by("-effective_at", "-version")


class Release(models.Model):
    """One published configuration: its document is canonical JSON (decimals as
    strings) and `sha256` is the hash of those exact bytes, served as the ETag.
    The active release is the newest whose `effective_at` has passed."""

    version = models.PositiveIntegerField(unique=True)
    document = models.TextField(help_text="Canonical JSON, exactly as served.")
    sha256 = models.CharField(max_length=64)
    note = models.TextField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_by_name = models.CharField(
        max_length=150, help_text="Who published, kept when the user account is deleted."
    )
    published_at = models.DateTimeField()
    effective_at = models.DateTimeField(db_index=True)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        default_permissions = ("view",)
        permissions = [("publish_release", "Can publish, schedule and restore releases")]
        constraints = [
            models.CheckConstraint(
                condition=Q(version__gte=1),
                name="release_version_positive",
                violation_error_message="Release versions start at 1.",
            ),
            models.CheckConstraint(
                condition=Q(effective_at__gte=models.F("published_at")),
                name="release_effective_not_before_publish",
                violation_error_message="A release cannot take effect before it is published.",
            ),
        ]

    def __str__(self):
        return f"v{self.version}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError(f"release v{self.version} is immutable: publish a new one instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(f"release v{self.version} is immutable: it is never deleted")

    @property
    def etag(self) -> str:
        return f'"{self.sha256}"'

    @property
    def body(self) -> bytes:
        return self.document.encode()


class ReleaseProduct(models.Model):
    """One product's configuration in a release: what `/api/v1/products/<slug>/config/`
    serves. Its document holds only what the product reads (the shared tables, the
    models it sells or uses, its own offers, rates, workflows and thresholds, its
    margins) and no release header, so a publish that leaves a product unchanged
    leaves its bytes and ETag unchanged. Stored with the release and as immutable."""

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="products")
    product = models.CharField(max_length=80, help_text="The product's slug when the release was published.")
    document = models.TextField(help_text="Canonical JSON, exactly as served.")
    sha256 = models.CharField(max_length=64)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        default_permissions = ("view",)
        ordering = ["release", "product"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "product"],
                name="release_product_once",
                violation_error_message="This release already has this product's document.",
            ),
        ]

    def __str__(self):
        return f"{self.release} / {self.product}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError(f"{self} is immutable: publish a new release instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(f"{self} is immutable: it is never deleted")


class ReleaseWithdrawal(models.Model):
    """A scheduled release taken back before it took effect, by whom and why. Its
    own record, so the release row stays exactly as published; a withdrawal is
    final (publish the draft again to schedule anew)."""

    release = models.OneToOneField(Release, on_delete=models.PROTECT, related_name="withdrawal")
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_by_name = models.CharField(
        max_length=150, help_text="Who withdrew it, kept when the user account is deleted."
    )
    withdrawn_at = models.DateTimeField()
    reason = models.TextField()

    class Meta:
        default_permissions = ("view",)
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="release_withdrawal_has_reason",
                violation_error_message="A withdrawal needs a reason.",
            ),
        ]

    def __str__(self):
        return f"{self.release} withdrawn"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError(f"the withdrawal of {self.release} is final: it is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(f"the withdrawal of {self.release} is final: it is never deleted")


class ApiScope(models.TextChoices):
    CONFIG_READ = "config:read", "config:read: the active configuration, releases, quotes and thresholds"
    DRAFT_READ = "draft:read", "draft:read: the unpublished draft and diffs against it"


KEY_PREFIX = "bck"


def secret_hash(secret: str) -> str:
    """What is stored of a key: its sha256, in hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


_NO_HASH = "-" * 64  # a sha256's length, and no sha256's hex digits


class ApiKey(models.Model):
    """A machine client's key. Only its sha256 is stored; `prefix` identifies it
    in the admin and in logs. The full key is shown once, when it is made."""

    name = models.CharField(max_length=100, help_text="Who uses it: 'checkout service (production)'.")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    hashed_key = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(default=list, help_text="What the key may read.")
    products = models.ManyToManyField(
        "billingcfg.Product",
        blank=True,
        related_name="api_keys",
        help_text="The products whose configuration, quotes and thresholds the key may read.",
    )
    all_products = models.BooleanField(
        default=False,
        help_text="Reads every product and the whole configuration (releases, diffs, the draft): for staff tools.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API key"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def clean(self):
        unknown = sorted(set(self.scopes or ()) - set(ApiScope.values))
        if unknown:
            raise ValidationError(
                {"scopes": f"unknown scope {', '.join(unknown)}; scopes are {', '.join(ApiScope.values)}"}
            )
        if not self.scopes:
            raise ValidationError({"scopes": "choose at least one scope"})

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or ())

    @staticmethod
    def generate() -> tuple[str, str, str]:
        """A new key as (full key, prefix, sha256 of the full key)."""
        prefix = f"{KEY_PREFIX}_{secrets.token_hex(4)}"
        key = f"{prefix}.{secrets.token_urlsafe(32)}"
        return key, prefix, secret_hash(key)

    def matches(self, key: str) -> bool:
        return hmac.compare_digest(self.hashed_key, secret_hash(key))

    @staticmethod
    def matches_no_key(key: str) -> bool:
        """False, after the work matches() does: a key whose prefix is no key's costs what a wrong secret does."""
        return hmac.compare_digest(_NO_HASH, secret_hash(key))
