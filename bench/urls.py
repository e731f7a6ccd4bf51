"""The project's URLs plus /bench/bare/: the active release's bytes, read once
per process, with no authentication, throttling or query: the ceiling the
config endpoint is measured against."""

from django.http import HttpResponse
from django.urls import include, path

from billingcfg.releases.services import active_release_get

_bytes = {}


def bare(request):
    if "body" not in _bytes:
        release = active_release_get()
        _bytes["body"], _bytes["etag"] = release.body, release.etag
    response = HttpResponse(_bytes["body"], content_type="application/json")
    response["ETag"] = _bytes["etag"]
    return response


urlpatterns = [path("bench/bare/", bare), path("", include("billingcfg.urls"))]
