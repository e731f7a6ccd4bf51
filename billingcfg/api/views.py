"""The REST API (DESIGN §6). Views are thin: they read releases through the
selectors, price through the process's parsed product document (billingcfg.api.state)
and format with billingcfg.releases.document. Authentication, permission and
throttling run before any view method, and a product's reader is checked before
its document is answered, so a 304 never reaches a caller who may not read it.

A backend reads its own product: /products/<slug>/config/, quote/ and
thresholds/evaluate/. The unscoped /config/, /quote/ and /thresholds/evaluate/ serve the
default product (Product.is_default) and are deprecated. Release documents, diffs and
the draft are the whole configuration: staff and keys for all products."""

import re

from django.http import HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from billingcfg.api import selectors, state
from billingcfg.api.errors import RequestError
from billingcfg.api.permissions import (
    ConfigRead,
    DraftRead,
    Publish,
    WholeConfiguration,
    product_refusal,
    readable_products,
)
from billingcfg.api.serializers import (
    DetailSerializer,
    DiffSerializer,
    DocumentSerializer,
    DraftDocumentSerializer,
    ErrorsSerializer,
    ObservationSerializer,
    ProductSerializer,
    PublishedSerializer,
    PublishSerializer,
    QuoteResultSerializer,
    QuoteSerializer,
    ReleaseDocumentSerializer,
    ReleaseSerializer,
    ThresholdsCrossedSerializer,
    WithdrawSerializer,
    read_instant,
)
from billingcfg.models import Product
from billingcfg.releases import services as releases
from billingcfg.releases.document import canonical_bytes, draft_configuration, quote_document, sha256, timestamp
from pricing.money import dec

CACHE_CONTROL = "private, no-cache"  # clients keep it and revalidate: it changes on publish or when a release falls due
DRAFT = "draft"

_ERRORS = {
    401: OpenApiResponse(DetailSerializer, description="No key, a malformed, unknown or revoked key."),
    403: OpenApiResponse(
        DetailSerializer,
        description="The key lacks the scope or may not read the product (the message names the products it "
        "reads), or the user is not staff.",
    ),
    429: OpenApiResponse(
        DetailSerializer,
        description=(
            "Too many requests for this key, or too many failed key checks from this address; see Retry-After."
        ),
    ),
}
_BAD = OpenApiResponse(ErrorsSerializer, description='Bad input: {"errors": {"<field>": ["message"]}}.')
_NOT_JSON = OpenApiResponse(DetailSerializer, description="The body is not JSON: send Content-Type: application/json.")
_NOT_MODIFIED = OpenApiResponse(description="Not modified: the If-None-Match ETag is current. No body.")
_IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag a client holds; a match answers 304 with no body.",
)
_VERSION = OpenApiParameter(
    "version",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="A release version: 1, 2, …",
    examples=[OpenApiExample("v1", value=1)],
)


_PRODUCT = OpenApiParameter(
    "slug",
    {"type": "string", "maxLength": 80},
    OpenApiParameter.PATH,
    description="A product's slug, as GET /api/v1/products/ lists them.",
    examples=[OpenApiExample("video", value="video")],
)
_RELEASE_VERSION = OpenApiParameter(
    "X-Release-Version",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[200, 304],
    description="The version of the release the answer comes from (a product's document carries no release "
    "header: its bytes, and its ETag, stay the same across releases that leave the product unchanged).",
)
_NO_PRODUCT = OpenApiResponse(
    DetailSerializer,
    description="Nothing published yet, nothing in force at `at`, no such release, or the release has no such "
    "product (the message lists the products the caller may read).",
)
_DEPRECATED = (
    " **Deprecated**: this route serves the default product only; use the same route under "
    "/api/v1/products/<slug>/ (GET /api/v1/products/ lists them)."
)
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")


def _side(name: str, example) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        {"type": "string", "pattern": "^([0-9]+|draft)$"},
        OpenApiParameter.PATH,
        description="A release version (1, 2, …) or `draft`.",
        examples=[OpenApiExample(str(example), value=str(example))],
    )


_DOCUMENT_HEADERS = [
    OpenApiParameter(
        "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200, 304], description='"<sha256 of the body>"'
    ),
    OpenApiParameter(
        "Cache-Control",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200, 304],
        description=f"{CACHE_CONTROL}: keep the document, revalidate with If-None-Match.",
    ),
]


class JsonOnly(DefaultContentNegotiation):
    """The API answers JSON only: whatever the client accepts, it gets JSON (no 406,
    and no Accept header to parse on every request). Request bodies are still
    checked against their Content-Type."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ApiView(APIView):
    content_negotiation_class = JsonOnly

    def permission_denied(self, request, message=None, code=None):
        if request.authenticators and not request.successful_authenticator:
            raise exceptions.NotAuthenticated(
                "No credentials: send 'Authorization: Api-Key <key>', or sign in with a staff account."
            )
        raise exceptions.PermissionDenied(detail=message, code=code)


def _etag_matches(request, digest: str) -> bool:
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    tags = parse_etags(header)
    return tags == ["*"] or f'"{digest}"' in {tag.removeprefix("W/") for tag in tags}


def _document_response(request, digest: str, body) -> HttpResponse:
    """The document bytes with their ETag, or 304 when the caller holds them. `body` is called only for a 200."""
    response = (
        HttpResponseNotModified()
        if _etag_matches(request, digest)
        else HttpResponse(body(), content_type="application/json")
    )
    response["ETag"] = f'"{digest}"'
    response["Cache-Control"] = CACHE_CONTROL
    patch_vary_headers(response, ("Authorization", "Cookie"))
    return response


def _release_response(request, head: selectors.ReleaseHead) -> HttpResponse:
    return _document_response(request, head.sha256, lambda: state.release_body(head))


def _product_response(request, head: selectors.ProductHead) -> HttpResponse:
    response = _document_response(request, head.sha256, lambda: state.product_body(head))
    response["X-Release-Version"] = str(head.version)
    return response


def _readable_text(request, slugs) -> str:
    readable = readable_products(request.user)
    shown = [slug for slug in slugs if readable is None or slug in readable]
    return ", ".join(shown) if shown else "none"


def _may_read(request, slug: str) -> None:
    """A 403 naming the product and the products the caller reads, when it may not read `slug`:
    before anything is read of releases, so the answer is the same whatever is published."""
    refusal = product_refusal(request.user, slug[:80])
    if refusal is not None:
        raise exceptions.PermissionDenied(refusal)


def _product_head(request, head: selectors.ReleaseHead, slug: str) -> selectors.ProductHead:
    """Product `slug`'s document in release `head`: 403 when the caller may not read it, 404
    (listing the release's products the caller may read) when the release has no such product."""
    _may_read(request, slug)
    found = state.product_head(head, slug) if _SLUG.fullmatch(slug) else None
    if found is None:
        products = _readable_text(request, selectors.release_product_slugs(version=head.version))
        raise exceptions.NotFound(f"no product '{slug[:80]}' in release v{head.version}; products are: {products}")
    return found


def _default_product_head(request, head: selectors.ReleaseHead, route: str) -> selectors.ProductHead:
    """The default product's document in release `head` (the product it published as the
    default), for the deprecated unscoped routes."""
    default = state.default_product(head)
    if default is None:
        raise exceptions.NotFound(f"release v{head.version} has no default product: use /api/v1/products/<slug>/…")
    refusal = product_refusal(request.user, default, route=route)
    if refusal is not None:
        raise exceptions.PermissionDenied(refusal)
    found = state.product_head(head, default)
    if found is None:
        products = _readable_text(request, selectors.release_product_slugs(version=head.version))
        raise exceptions.NotFound(
            f"release v{head.version} has no document of the default product '{default}'; its products are: "
            f"{products} (use /api/v1/products/<slug>/…)"
        )
    return found


def _versions_text() -> str:
    versions = selectors.release_versions()
    return ", ".join(map(str, versions)) if versions else "none: nothing published yet"


def _head(version) -> selectors.ReleaseHead:
    """The named release's head, or a 404 listing the versions that exist."""
    head = None
    if isinstance(version, int) or (
        isinstance(version, str) and version.isascii() and version.isdigit() and len(version) <= 9
    ):
        head = selectors.release_head_get(version=int(version))
    if head is None:
        raise exceptions.NotFound(f"no release {version}; releases are: {_versions_text()}")
    return head


def _in_force_head(version: int | None) -> selectors.ReleaseHead:
    if version is not None:
        return _head(version)
    head = selectors.release_head_in_force()
    if head is None:
        raise exceptions.NotFound(_nothing_in_force(None))
    return head


def _nothing_in_force(at) -> str:
    first = selectors.release_first_effective_at()
    if first is None:
        return "nothing published yet: publish a release first"
    if at is None:
        return f"no release is in force yet; the first takes effect at {timestamp(first)}"
    return f"no release was in force at {timestamp(at)}; the first took effect at {timestamp(first)}"


def _at(request):
    text = request.query_params.get("at")
    if text is None:
        return None
    try:
        return read_instant(text)
    except ValueError as problem:
        raise exceptions.ValidationError({"at": [str(problem)]}) from None


def _at_head(request) -> selectors.ReleaseHead:
    """The release in force now, or at the `at` query parameter; 404 saying when the first took effect."""
    at = _at(request)
    head = selectors.release_head_in_force() if at is None else selectors.release_head_active(at=at)
    if head is None:
        raise exceptions.NotFound(_nothing_in_force(at))
    return head


_AT = OpenApiParameter(
    "at",
    OpenApiTypes.DATETIME,
    OpenApiParameter.QUERY,
    required=False,
    description="ISO 8601 date-time (UTC when it has no offset): the release in force then.",
)


@extend_schema(
    summary="The products the caller may read",
    description="The products of the release in force that the caller may read (a key scoped to products: "
    "those; staff and keys for all products: every one), as that release published them, each with the URL "
    "of its configuration.",
    parameters=[_RELEASE_VERSION],
    responses={
        200: ProductSerializer(many=True),
        **_ERRORS,
        404: OpenApiResponse(DetailSerializer, description="Nothing published yet, or nothing in force yet."),
    },
)
class ProductListView(ApiView):
    def get(self, request):
        head = _in_force_head(None)
        readable = readable_products(request.user)
        rows = [
            {
                **product,
                "config": request.build_absolute_uri(reverse("api-product-config", kwargs={"slug": product["slug"]})),
            }
            for product in state.release_products(head)
            if readable is None or product["slug"] in readable
        ]
        return Response(ProductSerializer(rows, many=True).data, headers={"X-Release-Version": str(head.version)})


@extend_schema(
    summary="A product's configuration in force",
    description="The product's document in the release in force, as stored (decimals as strings): its product, "
    "its reporting currency and revenue per credit, the shared tables, the models it sells or uses with only its "
    "credit rates and its suppliers' costs, its offers, workflows and thresholds, with margins at its own credit. "
    "Its ETag is the sha256 of its bytes, which a publish changing only other products leaves as it was: send "
    "If-None-Match and a 304 answers while it is current. The release version is in X-Release-Version. With "
    "`at`, the release in force at that time.",
    parameters=[_PRODUCT, _AT, _IF_NONE_MATCH, *_DOCUMENT_HEADERS, _RELEASE_VERSION],
    responses={200: DocumentSerializer, 304: _NOT_MODIFIED, 400: _BAD, **_ERRORS, 404: _NO_PRODUCT},
)
class ProductConfigView(ApiView):
    def get(self, request, slug):
        _may_read(request, slug)
        return _product_response(request, _product_head(request, _at_head(request), slug))


@extend_schema(
    summary="The default product's configuration in force (deprecated)",
    description="The default product's document in the release in force, exactly as "
    "/api/v1/products/<default>/config/ serves it (same bytes, same ETag), 304 on If-None-Match, `at` as "
    "there." + _DEPRECATED,
    deprecated=True,
    parameters=[_AT, _IF_NONE_MATCH, *_DOCUMENT_HEADERS, _RELEASE_VERSION],
    responses={200: DocumentSerializer, 304: _NOT_MODIFIED, 400: _BAD, **_ERRORS, 404: _NO_PRODUCT},
)
class ConfigView(ApiView):
    def get(self, request):
        return _product_response(request, _default_product_head(request, _at_head(request), "/api/v1/config/"))


class ReleaseListView(ApiView):
    def get_permissions(self):
        return [Publish()] if self.request.method == "POST" else super().get_permissions()

    @extend_schema(
        summary="Every release",
        description="Newest version first, with each one's status now.",
        responses={200: ReleaseSerializer(many=True), **_ERRORS},
    )
    def get(self, request):
        return Response(ReleaseSerializer(selectors.release_list(), many=True).data)

    @extend_schema(
        summary="Publish the draft",
        description="Publishes the draft as the next release, now or at `effective_at`, as the admin's Publish "
        "page does. Only a staff session (with its CSRF token) whose account has the "
        "billingcfg.publish_release permission may publish; API keys never can. Send `draft_sha256`, "
        "the ETag of the draft you reviewed, to be refused with a 409 if it changed since. A draft "
        "with blocking problems is refused with a 400 listing each one, and so is an `effective_at` "
        "beyond the scheduling horizon or at the instant another release is scheduled. `warnings` "
        "names each release already scheduled after the new one: when it takes effect it replaces "
        "the new one, without its changes.",
        auth=[{"cookieAuth": []}],
        request=PublishSerializer,
        examples=[
            OpenApiExample(
                "Publish",
                summary="Publish the draft now",
                request_only=True,
                value={"note": "Sora 2 Pro up to 40 credits a second"},
            )
        ],
        responses={
            201: OpenApiResponse(
                PublishedSerializer,
                description=(
                    "Published: the new release, as a list row, with `warnings` about releases scheduled after it."
                ),
            ),
            400: OpenApiResponse(
                ErrorsSerializer,
                description=(
                    'Bad input ({"errors": {"<field>": ["message"]}}), or a draft with blocking problems: '
                    '{"errors": {"draft": ["message", …]}, "problems": [{"place", "rule", "message"}, …]}.'
                ),
            ),
            401: OpenApiResponse(DetailSerializer, description="Not signed in."),
            403: OpenApiResponse(
                DetailSerializer,
                description=(
                    "An API key, an account that is not staff or lacks billingcfg.publish_release, or no CSRF token."
                ),
            ),
            409: OpenApiResponse(
                DetailSerializer,
                description=(
                    "`draft_sha256` is not the draft's sha256 any more: someone changed the draft. Nothing was "
                    "published."
                ),
            ),
            415: _NOT_JSON,
            429: _ERRORS[429],
        },
        # A path on this server, not an absolute URI: format uri-reference (RFC 3986 §4.1), not uri.
        parameters=[
            OpenApiParameter(
                "Location",
                {"type": "string", "format": "uri-reference"},
                OpenApiParameter.HEADER,
                response=[201],
                description="/api/v1/releases/<version>/: the new release's document.",
            )
        ],
    )
    def post(self, request):
        serializer = PublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            release = releases.release_publish(
                note=data["note"],
                user=request.user,
                effective_at=data.get("effective_at"),
                reviewed_sha256=data.get("draft_sha256"),
            )
        except Product.DoesNotExist as missing:
            raise exceptions.ValidationError({"draft": [str(missing)]}) from None
        except releases.PublishRefused as refused:
            problems = refused.validation.errors
            return Response(
                {
                    "errors": {"draft": [problem.message for problem in problems]},
                    "problems": [
                        {"place": problem.place, "rule": problem.rule, "message": problem.message}
                        for problem in problems
                    ],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        except ValueError as problem:  # the note is checked above: this is when it takes effect
            field = "effective_at" if data.get("effective_at") is not None else "body"
            raise exceptions.ValidationError({field: [str(problem)]}) from None
        location = reverse("api-release", kwargs={"version": release.version})
        summary = {
            **selectors.release_row(version=release.version),
            "warnings": [
                {
                    "release": later.version,
                    "effective_at": later.effective_at,
                    "message": releases.later_release_warning(later),
                }
                for later in releases.releases_scheduled_after(at=release.effective_at)
            ],
        }
        return Response(
            PublishedSerializer(summary).data, status=status.HTTP_201_CREATED, headers={"Location": location}
        )


@extend_schema(
    summary="Withdraw a scheduled release",
    description="Takes back a release before its effective_at: it is then never in force (config/, `at`, quotes "
    "and the release list say so), and its row stays as published, with the withdrawal recorded "
    "beside it: who, when and `reason`. A release that has taken effect cannot be withdrawn. Needs "
    "what publishing needs: a staff session (with its CSRF token) whose account has the "
    "billingcfg.publish_release permission; API keys never can.",
    auth=[{"cookieAuth": []}],
    parameters=[
        OpenApiParameter(
            "version",
            OpenApiTypes.INT,
            OpenApiParameter.PATH,
            description="The version of a scheduled release: 3, …",
            examples=[OpenApiExample("v3", value=3)],
        )
    ],
    request=WithdrawSerializer,
    examples=[
        OpenApiExample(
            "Withdraw", request_only=True, value={"reason": "Superseded by v4, published now with the same prices"}
        )
    ],
    responses={
        200: OpenApiResponse(ReleaseSerializer, description="Withdrawn: the release as a list row."),
        400: OpenApiResponse(
            ErrorsSerializer,
            description=(
                'No reason, or a release that cannot be withdrawn: {"errors": {"release": ["v2 took effect at …"]}}.'
            ),
        ),
        401: OpenApiResponse(DetailSerializer, description="Not signed in."),
        403: OpenApiResponse(
            DetailSerializer,
            description=(
                "An API key, an account that is not staff or lacks billingcfg.publish_release, or no CSRF token."
            ),
        ),
        404: OpenApiResponse(DetailSerializer, description="No such version; the message lists them."),
        415: _NOT_JSON,
        429: _ERRORS[429],
    },
)
class ReleaseWithdrawView(ApiView):
    permission_classes = [Publish]

    def post(self, request, version):
        head = _head(version)
        serializer = WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            releases.release_withdraw(
                version=head.version, reason=serializer.validated_data["reason"], user=request.user
            )
        except releases.WithdrawRefused as refused:
            raise exceptions.ValidationError({"release": [str(refused)]}) from None
        return Response(ReleaseSerializer(selectors.release_row(version=head.version)).data)


@extend_schema(
    summary="One release's whole configuration",
    description="The release's document bytes (every product's rows, no margins), with its ETag (304 on "
    "If-None-Match). The whole configuration: staff and keys for all products.",
    parameters=[_VERSION, _IF_NONE_MATCH, *_DOCUMENT_HEADERS],
    responses={
        200: ReleaseDocumentSerializer,
        304: _NOT_MODIFIED,
        **_ERRORS,
        404: OpenApiResponse(DetailSerializer, description="No such version; the message lists them."),
    },
)
class ReleaseDetailView(ApiView):
    permission_classes = [ConfigRead, WholeConfiguration]

    def get(self, request, version):
        return _release_response(request, _head(version))


@extend_schema(
    summary="What changed between two releases (or a release and the draft)",
    description="`a` and `b` are versions or `draft` (the draft needs the draft:read scope, or a staff user who "
    "may view credit rates). Added, removed and changed entities of the whole configuration with old and new "
    "values, and each product's price rows with old and new margins at its own credit, tagged with its "
    "`product`. The whole configuration: staff and keys for all products.",
    parameters=[_side("a", 1), _side("b", DRAFT)],
    responses={
        200: DiffSerializer,
        **_ERRORS,
        404: OpenApiResponse(DetailSerializer, description="No such version; the message lists them."),
    },
)
class ReleaseDiffView(ApiView):
    def get_permissions(self):
        sides = (self.kwargs.get("a"), self.kwargs.get("b"))
        return [DraftRead() if DRAFT in sides else ConfigRead(), WholeConfiguration()]

    def get(self, request, a, b):
        old, new = self._documents(a), self._documents(b)
        return Response(releases.configuration_diff(old, new))

    def _documents(self, name: str) -> releases.Documents:
        if name == DRAFT:
            return releases.draft_check()
        try:
            head = _head(name)
        except exceptions.NotFound:
            raise exceptions.NotFound(f"no release {name}; names are: draft, {_versions_text()}") from None
        return releases.release_documents(releases.release_get(version=head.version))


@extend_schema(
    summary="The unpublished draft",
    description="The draft's whole configuration (every product's rows, no release header, no margins); its "
    "ETag is the `draft_sha256` publishing takes. Needs the draft:read scope, and a key for all products.",
    parameters=[_IF_NONE_MATCH, *_DOCUMENT_HEADERS],
    responses={200: DraftDocumentSerializer, 304: _NOT_MODIFIED, **_ERRORS},
)
class DraftView(ApiView):
    permission_classes = [DraftRead, WholeConfiguration]

    def get(self, request):
        body = canonical_bytes(draft_configuration())
        return _document_response(request, sha256(body), lambda: body)


_QUOTE_EXAMPLES = [  # the default product of the demo (video): examples must price
    OpenApiExample(
        "ModelQuantity",
        summary="A model's quantity",
        request_only=True,
        value={"model": "sora-2-pro", "variant": "1080p", "quantity": 12},
    ),
    OpenApiExample(
        "ModelDefault",
        summary="A model's default quantity (seed 003's 8-second video)",
        request_only=True,
        value={"model": "veo-3"},
    ),
]
_QUOTE_DESCRIPTION = (
    'One model usage — {"model": "sora-2-pro", "variant": "1080p", "quantity": 12}, or {"model": '
    '"gemini-2-5-flash", "usage": {"input_tokens": 300, "output_tokens": 700}} — or units of a workflow '
    '— {"workflow": "coaching-session-hour", "quantity": 1} — priced against {what} in the release in force '
    "(or `release`), at its own revenue per credit. Numbers are JSON numbers or decimal strings, read exactly. "
    "`credits` is null when the model is costed but not sold: backends must not charge a null."
)
_QUOTE_RESPONSES = {200: QuoteResultSerializer, 400: _BAD, **_ERRORS, 415: _NOT_JSON, 404: _NO_PRODUCT}


def _quote(data: dict, head: selectors.ProductHead) -> Response:
    priced = state.priced_release(head, on=releases.now().date())
    try:
        if "workflow" in data:
            quote = priced.quote_workflow(workflow=data["workflow"], quantity=data.get("quantity"))
            quantity = quote.quantity
        else:
            quote = priced.quote_model(
                model=data["model"],
                variant=data.get("variant"),
                quantity=data.get("quantity"),
                usage=data.get("usage"),
            )
            quantity = quote.lines[0].quantity if "usage" not in data and len(quote.lines) == 1 else None
    except RequestError as error:
        raise error.as_validation_error() from None
    return Response(
        {
            "release": head.version,
            "product": head.product,
            "model": data.get("model"),
            "variant": quote.variant,
            "workflow": data.get("workflow"),
            "quantity": dec(quantity),
            **quote_document(quote),
        }
    )


def _read(request, serializer_class) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


@extend_schema(
    summary="Price one usage of a product",
    description=_QUOTE_DESCRIPTION.replace("{what}", "the product's document"),
    parameters=[_PRODUCT],
    request=QuoteSerializer,
    examples=_QUOTE_EXAMPLES,
    responses=_QUOTE_RESPONSES,
)
class ProductQuoteView(ApiView):
    def post(self, request, slug):
        _may_read(request, slug)
        data = _read(request, QuoteSerializer)
        return _quote(data, _product_head(request, _in_force_head(data.get("release")), slug))


@extend_schema(
    summary="Price one usage of the default product (deprecated)",
    description=_QUOTE_DESCRIPTION.replace("{what}", "the default product's document") + _DEPRECATED,
    deprecated=True,
    request=QuoteSerializer,
    examples=_QUOTE_EXAMPLES,
    responses=_QUOTE_RESPONSES,
)
class QuoteView(ApiView):
    def post(self, request):
        data = _read(request, QuoteSerializer)
        return _quote(data, _default_product_head(request, _in_force_head(data.get("release")), "/api/v1/quote/"))


def _thresholds(data: dict, head: selectors.ProductHead) -> Response:
    data = dict(data)
    data.pop("release", None)
    priced = state.priced_release(head, on=releases.now().date())
    try:
        crossed = priced.thresholds_crossed(**data)
    except RequestError as error:
        raise error.as_validation_error() from None
    return Response(
        {
            "release": head.version,
            "product": head.product,
            "crossed": [
                {
                    "threshold": crossing.threshold.slug,
                    "name": crossing.threshold.name,
                    "limit": dec(crossing.threshold.limit),
                    "observed": dec(crossing.observed),
                    "share_of_limit": dec(crossing.share_of_limit),
                    "actions": [{"action": action, "switch_to_model": model} for action, model in crossing.actions],
                }
                for crossing in crossed
            ],
        }
    )


_THRESHOLD_EXAMPLES = [
    OpenApiExample(
        "DaySpend",
        summary="A day of spend",
        request_only=True,
        value={"scope": "system", "metric": "money", "window": "day", "value": "150", "currency": "USD"},
    ),
    OpenApiExample(
        "HourRequests",
        summary="A free user's requests in an hour",
        request_only=True,
        value={"scope": "user", "metric": "meter", "window": "hour", "value": 11, "meter": "requests", "tier": "free"},
    ),
]
_THRESHOLD_DESCRIPTION = (
    "Which of {what}'s alert thresholds a value observed for a scope over a window exceeds, with their actions. "
    "A money value is converted to each threshold's currency."
)
_THRESHOLD_RESPONSES = {200: ThresholdsCrossedSerializer, 400: _BAD, **_ERRORS, 415: _NOT_JSON, 404: _NO_PRODUCT}


@extend_schema(
    summary="Thresholds of a product an observed value crosses",
    description=_THRESHOLD_DESCRIPTION.replace("{what}", "the product"),
    parameters=[_PRODUCT],
    request=ObservationSerializer,
    examples=_THRESHOLD_EXAMPLES,
    responses=_THRESHOLD_RESPONSES,
)
class ProductThresholdsView(ApiView):
    def post(self, request, slug):
        _may_read(request, slug)
        data = _read(request, ObservationSerializer)
        return _thresholds(data, _product_head(request, _in_force_head(data.get("release")), slug))


@extend_schema(
    summary="Thresholds of the default product an observed value crosses (deprecated)",
    description=_THRESHOLD_DESCRIPTION.replace("{what}", "the default product") + _DEPRECATED,
    deprecated=True,
    request=ObservationSerializer,
    examples=_THRESHOLD_EXAMPLES,
    responses=_THRESHOLD_RESPONSES,
)
class ThresholdsView(ApiView):
    def post(self, request):
        data = _read(request, ObservationSerializer)
        head = _default_product_head(request, _in_force_head(data.get("release")), "/api/v1/thresholds/evaluate/")
        return _thresholds(data, head)
