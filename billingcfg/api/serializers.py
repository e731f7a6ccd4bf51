"""What the API reads and answers. Request serializers check types and names
only (the engine checks quantities and prices); response serializers render
values the services computed and describe them in the OpenAPI schema."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billingcfg.api.errors import BODY
from billingcfg.releases.document import timestamp
from billingcfg.releases.tables import TABLE, TABLES
from pricing.money import dec, digits_and_places
from pricing.thresholds import METRICS, SCOPES, WINDOWS

MAX_DIGITS = 15
MAX_PLACES = 12
BELOW = Decimal(10) ** 12
MAX_TEXT = 60
_DECIMAL_TEXT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")


@extend_schema_field(
    {
        "oneOf": [
            {
                "type": "number",
                "minimum": -int(BELOW),
                "exclusiveMinimum": True,
                "maximum": int(BELOW),
                "exclusiveMaximum": True,
            },
            # JSON Schema patterns search; anchored, the pattern says what the field reads. Spaces around it are ignored.
            {"type": "string", "maxLength": MAX_TEXT, "pattern": rf"^\s*{_DECIMAL_TEXT.pattern}\s*$"},
        ],
        "description": f"A JSON number or a decimal string; at most {MAX_DIGITS} significant digits and {MAX_PLACES} "
        "decimal places, above -10^12 and below 10^12.",
    }
)
class NumberField(serializers.Field):
    """A JSON number or a decimal string, read exactly (never through a float)."""

    default_error_messages = {
        "invalid": 'must be a number: a JSON number or a decimal string such as "12" or "0.5", not {given}',
        "too_big": f"must have at most {MAX_DIGITS} significant digits and {MAX_PLACES} decimal places, and be "
        f"below 10^12 (1,000,000,000,000); got {{value}}",
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | Decimal | str):
            self.fail("invalid", given=_json_type(data))
        if isinstance(data, str):
            text = data.strip()
            if len(data) > MAX_TEXT or not _DECIMAL_TEXT.fullmatch(text):
                self.fail("invalid", given=f'"{data[:MAX_TEXT]}"')
            data = text
        try:
            value = Decimal(data)
        except InvalidOperation:  # an exponent beyond any Decimal's, e.g. "1e-99999999999999999999"
            self.fail("too_big", value=str(data)[:MAX_TEXT])
        if not value.is_finite():
            self.fail("invalid", given=str(data))
        digits, places = digits_and_places(value)
        if value.copy_abs() >= BELOW or digits > MAX_DIGITS or places > MAX_PLACES:
            self.fail("too_big", value=str(data)[:MAX_TEXT])
        return value

    def to_representation(self, value):
        return dec(value)


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return {dict: "an object", list: "a list", float: "a float"}.get(type(value), type(value).__name__)


UNKNOWN_NAMED = 10


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know: a typo ("quantiy") is an error, not a silent default. The first
    UNKNOWN_NAMED are named, the rest counted: 200,000 of them must not make a 200,000-entry answer."""

    def validate(self, attrs):
        if isinstance(self.initial_data, dict):
            unknown = [key for key in self.initial_data if key not in self.fields]
            if unknown:
                allowed = ", ".join(self.fields)
                errors = {key: [f"unknown field; fields are: {allowed}"] for key in unknown[:UNKNOWN_NAMED]}
                if len(unknown) > UNKNOWN_NAMED:
                    errors.setdefault(BODY, []).append(
                        f"{len(unknown):,} unknown fields; the first {UNKNOWN_NAMED} are named"
                    )
                raise serializers.ValidationError(errors)
        return attrs


class TextField(serializers.CharField):
    """Text, and only text: DRF's CharField would read the number 12 as "12", which the schema's
    "type": "string" does not allow."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class WholeNumberField(serializers.IntegerField):
    """A JSON integer: DRF's IntegerField would also read "2" and 2.0, which the schema's
    "type": "integer" does not allow."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


def _name(help_text: str, **kwargs) -> TextField:
    return TextField(required=False, max_length=100, help_text=help_text, **kwargs)


RELEASE_HELP = "A release version to price against; default: the release in force now."
MAX_VERSION = 2**31 - 1


MAX_METERS = 100


class UsageField(serializers.DictField):
    """A quantity per meter, at most MAX_METERS of them (a model has a handful), counted before any is
    read: DRF checks every entry, and 150,000 of them took 8 s to refuse."""

    max_entries = MAX_METERS

    def to_internal_value(self, data):
        if isinstance(data, dict) and len(data) > self.max_entries:
            raise serializers.ValidationError(f"names {len(data):,} meters; a usage names at most {self.max_entries}")
        return super().to_internal_value(data)


class QuoteSerializer(StrictSerializer):
    model = _name("A model's slug (e.g. sora-2-pro). Give a model or a workflow, not both.")
    variant = _name("The model's variant; default: its default variant.", allow_null=True)
    quantity = NumberField(
        required=False,
        allow_null=True,
        help_text="For a model: the quantity of its only charged meter (or, when it is not sold, of its only "
        "costed meter); a model with several meters needs `usage`. For a workflow: its units (default 1). "
        "Absent: the credit rate's default quantity. A JSON number or a decimal string.",
    )
    usage = UsageField(
        child=NumberField(),
        required=False,
        allow_empty=False,
        help_text='A quantity per meter, e.g. {"input_tokens": 300, "output_tokens": 700}; charged meters not '
        "named take their default quantity.",
    )
    workflow = _name("A workflow's slug (e.g. coaching-session-hour).")
    release = WholeNumberField(required=False, min_value=1, max_value=MAX_VERSION, help_text=RELEASE_HELP)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if "model" not in attrs and "workflow" not in attrs:
            raise serializers.ValidationError(
                {
                    "model": [
                        "give a model (with an optional variant, and a quantity or a usage) or a workflow (with an optional "
                        "quantity)"
                    ]
                }
            )
        if "model" in attrs and "workflow" in attrs:
            raise serializers.ValidationError({"workflow": ["give a model or a workflow, not both"]})
        if "workflow" in attrs:
            extra = [name for name in ("variant", "usage") if name in attrs]
            if extra:
                raise serializers.ValidationError({name: ["a workflow takes only a quantity"] for name in extra})
        if attrs.get("quantity") is not None and "usage" in attrs:
            raise serializers.ValidationError({"usage": ["give either a quantity or a usage, not both"]})
        return attrs


def _choice(choices: tuple[str, ...], help_text: str) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=choices,
        help_text=help_text,
        error_messages={"invalid_choice": f'"{{input}}" is not one of: {", ".join(choices)}'},
    )


class ObservationSerializer(StrictSerializer):
    scope = _choice(SCOPES, "Who or what was observed.")
    metric = _choice(METRICS, "money (needs currency), meter (needs meter) or credits.")
    window = _choice(WINDOWS, "The period the value was observed over.")
    value = NumberField(help_text="The observed value (at least 0): an amount, a meter's units or credits.")
    currency = _name("The currency of a money value (e.g. USD); converted to each threshold's.", allow_null=True)
    meter = _name("The meter of a meter value (e.g. hours).", allow_null=True)
    provider = _name("The provider observed (scope provider).", allow_null=True)
    model = _name("The model observed (scope model).", allow_null=True)
    plan = _name("The plan observed (scope plan).", allow_null=True)
    tier = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=50,
        help_text="A user's tier (free, paid …), with scope user.",
    )
    release = WholeNumberField(required=False, min_value=1, max_value=MAX_VERSION, help_text=RELEASE_HELP)


EARLIEST_INSTANT = datetime.min.replace(tzinfo=UTC)
LATEST_INSTANT = datetime.max.replace(tzinfo=UTC)


def read_instant(given) -> datetime:
    """An ISO 8601 date-time as the API reads `at` and `effective_at`, in UTC: UTC when it has no offset,
    never a bare date (midnight in which zone would be a guess). In UTC it must lie within a datetime's
    years 1 to 9999: beyond them converting it overflows, and PostgreSQL, which stores more, answers with
    a year Python cannot read back. ValueError saying why not."""
    if not isinstance(given, str):
        raise ValueError(not_an_instant(_json_type(given)))
    text = given.strip()
    try:
        at = parse_datetime(text) if len(text) > 10 else None
    except ValueError:
        at = None
    if at is None:
        raise ValueError(not_an_instant(f"'{given[:60]}'"))
    if timezone.is_naive(at):
        return at.replace(tzinfo=UTC)
    try:
        return at.astimezone(UTC)
    except OverflowError:
        side = (
            f"after {timestamp(LATEST_INSTANT)}"
            if at.utcoffset() < timedelta(0)
            else f"before {timestamp(EARLIEST_INSTANT)}"
        )
        raise ValueError(
            f"'{text}' is {side} in UTC; an instant must lie from {timestamp(EARLIEST_INSTANT)} "
            f"to {timestamp(LATEST_INSTANT)} in UTC"
        ) from None


def not_an_instant(given: str) -> str:
    return f"{given} is not a date-time; use ISO 8601, e.g. 2026-03-01T09:00:00Z (a time without an offset is UTC)"


@extend_schema_field(OpenApiTypes.DATETIME)
class InstantField(serializers.Field):
    """An ISO 8601 date-time read as `at` is read (read_instant)."""

    def to_internal_value(self, data):
        try:
            return read_instant(data)
        except ValueError as problem:
            raise serializers.ValidationError(str(problem)) from None

    def to_representation(self, value):
        return serializers.DateTimeField().to_representation(value)


NOTE_NEEDED = "a release needs a note saying what changed"
_SHA256 = re.compile(r'"?([0-9a-fA-F]{64})"?')


# Some text besides spaces (a blank note is refused); no NUL character (DRF refuses it: PostgreSQL cannot store it).
@extend_schema_field({"type": "string", "pattern": r"^[^\x00]*[^\x00\s][^\x00]*$"})
class NoteField(TextField):
    pass


# A sha256 in hex, with or without an ETag's quotes; spaces around it are ignored.
@extend_schema_field({"type": "string", "pattern": rf"^\s*{_SHA256.pattern}\s*$"})
class Sha256Field(TextField):
    pass


class PublishSerializer(StrictSerializer):
    note = NoteField(
        help_text="What changed and why; shown in the release list.",
        error_messages={"required": NOTE_NEEDED, "blank": NOTE_NEEDED, "null": NOTE_NEEDED},
    )
    effective_at = InstantField(
        required=False,
        allow_null=True,
        help_text="When the release takes effect (ISO 8601; UTC when it has no offset). Absent or null: now. "
        "A later time schedules it; the release in force stays until then. Not in the past.",
    )
    draft_sha256 = Sha256Field(
        required=False,
        help_text="The ETag of the draft you reviewed (GET /api/v1/draft/), with or without its quotes. When "
        "given, the publish is refused with a 409 if the draft has changed since.",
    )

    def validate_draft_sha256(self, value: str) -> str:
        match = _SHA256.fullmatch(value.strip())
        if match is None:
            raise serializers.ValidationError(
                "must be the draft's sha256 (64 hex digits): the ETag of GET /api/v1/draft/"
            )
        return match.group(1).lower()


REASON_NEEDED = "a withdrawal needs a reason saying why"


class WithdrawSerializer(StrictSerializer):
    reason = NoteField(
        help_text="Why the scheduled release is withdrawn; shown in the release list.",
        error_messages={"required": REASON_NEEDED, "blank": REASON_NEEDED, "null": REASON_NEEDED},
    )


# ---- responses ----------------------------------------------------------------------------------


class ProblemSerializer(serializers.Serializer):
    place = serializers.CharField(help_text='The row at fault, e.g. "credit rate veo-3 / all variants / images".')
    rule = serializers.CharField(help_text="The rule it breaks, e.g. rate_without_cost.")
    message = serializers.CharField()


class ErrorsSerializer(serializers.Serializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Every 400: messages per field. A field is a request field ("model"), a dotted path into one '
        '("usage.input_tokens"), a query parameter ("at") or "body" for the request as a whole.',
    )
    problems = ProblemSerializer(
        many=True,
        required=False,
        help_text="Only when publishing refuses the draft (POST /releases/): each blocking problem, for machines; "
        "errors.draft has their messages.",
    )


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong (401, 403, 404, 409, 429).")


class WithdrawalSerializer(serializers.Serializer):
    withdrawn_by = serializers.CharField(help_text="The publisher's username who withdrew it.")
    withdrawn_at = serializers.DateTimeField()
    reason = serializers.CharField()


class ReleaseSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    note = serializers.CharField()
    published_by = serializers.CharField(help_text="The publisher's username; empty for a command-line publish.")
    published_at = serializers.DateTimeField()
    effective_at = serializers.DateTimeField(help_text="When it takes (or took) effect.")
    sha256 = serializers.CharField(help_text="The sha256 of the release's document bytes: its ETag.")
    status = serializers.ChoiceField(
        choices=["active", "scheduled", "superseded", "withdrawn"],
        help_text="active: in force now; scheduled: takes effect later; superseded: replaced by a newer one; "
        "withdrawn: taken back before it took effect, never in force.",
    )
    withdrawal = WithdrawalSerializer(
        allow_null=True, help_text="Who withdrew it, when and why; null unless withdrawn."
    )


class LaterReleaseSerializer(serializers.Serializer):
    release = serializers.IntegerField(help_text="The version scheduled after the new release.")
    effective_at = serializers.DateTimeField()
    message = serializers.CharField()


class PublishedSerializer(ReleaseSerializer):
    warnings = LaterReleaseSerializer(
        many=True,
        help_text="Releases scheduled to take effect after this one: each replaces it then, without "
        "its changes. Withdraw one (POST /releases/<version>/withdraw/) to keep this one.",
    )


def _json(help_text: str, **options):
    return serializers.JSONField(help_text=help_text, **options)


def _table(name: str, *, computed: str = "", also: str = "", **options):
    """A table's rows, described by their keys as `billingcfg.releases.tables` declares them (nested lists last)."""
    keys = [
        *TABLE[name].document_keys,
        *(table.nested.name for table in TABLES if table.nested and table.nested.parent == name),
    ]
    return _json(", ".join(keys) + (f"; computed: {computed}" if computed else "") + "." + also, **options)


_SCHEMA_1 = "Only in documents published before products (schema_version 1)."


class DocumentSerializer(serializers.Serializer):
    """One product's configuration document: decimals are strings, every entity carries its slug.
    Documents published before products (schema_version 1) are served as stored: a release header
    and a `policy` instead of `product`."""

    release = _json(f"version, note, published_by, published_at, effective_at. {_SCHEMA_1}", required=False)
    schema_version = serializers.IntegerField(help_text="2; 1 for a document published before products.")
    reporting_currency = serializers.CharField()
    product = _table("products", also=" Absent only from schema_version 1, which has `policy`.", required=False)
    policy = _json(
        f"reporting_currency, target_gross_margin, revenue_basis, fixed_revenue_per_credit. {_SCHEMA_1}",
        required=False,
    )
    revenue_per_credit = _json("currency, lowest, mean, highest, basis, basis_name: the product's own credit.")
    currencies = _table("currencies")
    exchange_rates = _table("exchange_rates")
    meters = _table("meters")
    providers = _table("providers")
    credit_packs = _table("credit_packs", computed="price_per_credit")
    subscription_plans = _table("subscription_plans", computed="price_per_credit")
    models = _table(
        "models",
        computed="margins, flags, and each variant's default_usage; only the product's own credit rates and the "
        "costs of the suppliers it buys from",
    )
    workflows = _table("workflows", computed="cost, revenue, margin, flags, problems")
    alert_thresholds = _table("alert_thresholds")


class ReleaseDocumentSerializer(serializers.Serializer):
    """A release's whole configuration: every product's rows (each carries its `product`), no
    margins. Releases published before products (schema_version 1) are served as stored: one
    product's figures under `policy`, with margins."""

    release = _json("version, note, published_by, published_at, effective_at.")
    schema_version = serializers.IntegerField(help_text="2; 1 for a release published before products.")
    products = _table("products", also=" Absent only from schema_version 1.", required=False)
    currencies = _table("currencies")
    exchange_rates = _table("exchange_rates")
    meters = _table("meters")
    providers = _table("providers")
    credit_packs = _table("credit_packs")
    subscription_plans = _table("subscription_plans")
    models = _table("models")
    workflows = _table("workflows")
    alert_thresholds = _table("alert_thresholds")


class DraftDocumentSerializer(ReleaseDocumentSerializer):
    """The draft's whole configuration: a release's document without the release header."""

    release = None
    products = _table("products")


class ProductSerializer(serializers.Serializer):
    """A product as the release in force published it, and where its configuration is."""

    slug = serializers.CharField()
    name = serializers.CharField()
    credit_name = serializers.CharField(help_text="What its credit is called: credits, minutes, points …")
    reporting_currency = serializers.CharField(help_text="The currency its margins are reported in.")
    target_gross_margin = serializers.CharField(help_text="Decimal string: its target (the low end of a range).")
    target_gross_margin_high = serializers.CharField(
        allow_null=True, help_text="Decimal string: the high end of its target range; null for one figure."
    )
    is_default = serializers.BooleanField(
        help_text="The product the deprecated /config/, /quote/ and /thresholds/evaluate/ serve."
    )
    config = serializers.URLField(help_text="GET it for the product's configuration in force.")


class BandSerializer(serializers.Serializer):
    low = serializers.CharField(help_text="Decimal string.")
    high = serializers.CharField(help_text="Decimal string; equals low for an exact amount.")
    currency = serializers.CharField()


class CostSerializer(serializers.Serializer):
    provider = BandSerializer(
        allow_null=True, help_text="In the provider's currency; null when the lines are in several currencies."
    )
    reporting = BandSerializer(help_text="In the reporting currency.")


class RevenueSerializer(serializers.Serializer):
    lowest = serializers.CharField(allow_null=True, help_text="At the lowest revenue per credit; null when not sold.")
    basis = serializers.CharField(allow_null=True, help_text="At the product's basis revenue per credit.")
    currency = serializers.CharField()


class RangeSerializer(serializers.Serializer):
    worst = serializers.CharField(help_text="At the high end of the cost band.")
    best = serializers.CharField(help_text="At the low end of the cost band.")


class MarginSerializer(serializers.Serializer):
    gross_margin = RangeSerializer()
    markup = RangeSerializer()
    profit = RangeSerializer()


class MarginsSerializer(serializers.Serializer):
    lowest = MarginSerializer(allow_null=True)
    basis = MarginSerializer(allow_null=True)


class QuoteLineSerializer(serializers.Serializer):
    quantity = serializers.CharField()
    cost = BandSerializer()
    meter = serializers.CharField(required=False, help_text="Model quotes: the meter.")
    credits = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="Model quotes: exact credits for this meter before rounding up; null "
        "for a meter that is costed but not charged.",
    )
    tier = serializers.CharField(required=False, help_text="Model quotes: the provider price tier applied.")
    defaulted = serializers.BooleanField(required=False, help_text="Model quotes: the rate's default quantity.")
    step = serializers.CharField(required=False, help_text="Workflow quotes: the step's label.")
    model = serializers.CharField(required=False, help_text="Workflow quotes: the step's model.")
    variant = serializers.CharField(required=False, allow_null=True, help_text="Workflow quotes: its variant.")


class QuoteResultSerializer(serializers.Serializer):
    release = serializers.IntegerField(help_text="The release version the quote was priced against.")
    product = serializers.CharField(help_text="The product whose document (and credit) priced it.")
    model = serializers.CharField(allow_null=True)
    variant = serializers.CharField(allow_null=True, help_text="The variant priced (the default when none was named).")
    workflow = serializers.CharField(allow_null=True)
    quantity = serializers.CharField(
        allow_null=True,
        help_text="The workflow's units, or the model's single meter quantity (the default when none was given); "
        "null when a usage was given.",
    )
    credits = serializers.IntegerField(
        allow_null=True,
        help_text="Whole credits to charge, rounded up once. null when the model or workflow is costed but not sold "
        "(it has no credit rate): backends must not charge a null.",
    )
    cost = CostSerializer()
    revenue = RevenueSerializer()
    margin = MarginsSerializer()
    lines = QuoteLineSerializer(many=True, help_text="One per meter (model) or step (workflow).")


class ActionSerializer(serializers.Serializer):
    action = serializers.CharField()
    switch_to_model = serializers.CharField(allow_null=True)


class CrossingSerializer(serializers.Serializer):
    threshold = serializers.CharField(help_text="The threshold's slug.")
    name = serializers.CharField()
    limit = serializers.CharField()
    observed = serializers.CharField(
        help_text="The observed value in the threshold's unit (money converted to its currency)."
    )
    share_of_limit = serializers.CharField(allow_null=True, help_text="observed / limit; null for a zero limit.")
    actions = ActionSerializer(many=True)


class ThresholdsCrossedSerializer(serializers.Serializer):
    release = serializers.IntegerField()
    product = serializers.CharField(help_text="The product whose thresholds were evaluated.")
    crossed = CrossingSerializer(many=True, help_text="Crossed thresholds in their order; empty when none.")


class DiffSerializer(serializers.Serializer):
    old = _json('The old side\'s release header (version, note, dates), or {"version": "draft"}.')
    new = _json("The new side's header.")
    summary = _json("Counts of added, removed and changed entities.")
    changes = _json("Each added, removed or changed entity with its fields' old and new values.")
    prices = _json("Per model variant: old and new credits, cost and margin (seed 003's New Pricing vs Old).")
    rows = _json("Changed price rows with old and new margins side by side.")
    warnings = _json("Rows of the new side that lose money or miss the target margin.")
