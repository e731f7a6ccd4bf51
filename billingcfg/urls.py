from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from billingcfg.admin.dashboard import margins_dashboard
from billingcfg.admin.security import ThrottledAdminLoginForm
from billingcfg.admin.workbook_page import workbook, workbook_export_view

admin.site.site_header = "Billing configuration"
admin.site.site_title = "Billing configuration"
admin.site.index_title = "Pricing control room"
# Configuration tables are wide: they get the whole page.
admin.site.enable_nav_sidebar = False
# Failed logins are counted; over the limit, attempts are refused before the password is checked.
admin.site.login_form = ThrottledAdminLoginForm

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/margins/", margins_dashboard, name="margins"),
    path("admin/workbook/", workbook, name="workbook"),
    path("admin/workbook/export/", workbook_export_view, name="workbook_export"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("billingcfg.api.urls")),
]
