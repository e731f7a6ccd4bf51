from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from billingcfg.api import (
    schema,  # noqa: F401  (registers the API-key security scheme)
    views,
)

urlpatterns = [
    path("products/", views.ProductListView.as_view(), name="api-products"),
    path("products/<str:slug>/config/", views.ProductConfigView.as_view(), name="api-product-config"),
    path("products/<str:slug>/quote/", views.ProductQuoteView.as_view(), name="api-product-quote"),
    path(
        "products/<str:slug>/thresholds/evaluate/",
        views.ProductThresholdsView.as_view(),
        name="api-product-thresholds",
    ),
    # Deprecated: the default product's (Product.is_default), as before products.
    path("config/", views.ConfigView.as_view(), name="api-config"),
    path("releases/", views.ReleaseListView.as_view(), name="api-releases"),
    path("releases/<str:version>/", views.ReleaseDetailView.as_view(), name="api-release"),
    path("releases/<str:a>/diff/<str:b>/", views.ReleaseDiffView.as_view(), name="api-release-diff"),
    path("releases/<str:version>/withdraw/", views.ReleaseWithdrawView.as_view(), name="api-release-withdraw"),
    path("draft/", views.DraftView.as_view(), name="api-draft"),
    path("quote/", views.QuoteView.as_view(), name="api-quote"),
    path("thresholds/evaluate/", views.ThresholdsView.as_view(), name="api-thresholds"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
