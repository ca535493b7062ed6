"""URL map of the whole site."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from yuqing import api
from yuqing.accounts import views as account_views
from yuqing.detection import api as detection_api
from yuqing.incidents import api as incidents_api
from yuqing.monitoring import api as monitoring_api
from yuqing.notify import api as notify_api
from yuqing.publishing import api as publishing_api
from yuqing.registry import api as registry_api
from yuqing.reports import api as reports_api
from yuqing.system import views as system_views

router = DefaultRouter()
# each app registers its own viewsets (its api.py); the project only lists the apps
api.register(router)
notify_api.register(router)
monitoring_api.register(router)
detection_api.register(router)
registry_api.register(router)
publishing_api.register(router)
incidents_api.register(router)
reports_api.register(router)

urlpatterns = [
    path("", system_views.home, name="home"),
    path("healthz", system_views.healthz, name="healthz"),
    path("system/", include("yuqing.system.urls")),
    path("", include("yuqing.orgs.urls")),
    path("audit/", include("yuqing.audit.urls")),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/otp/", account_views.otp_verify, name="otp-verify"),
    path("accounts/totp/", account_views.totp_setup, name="totp-setup"),
    path("accounts/tokens/", account_views.api_tokens, name="api-tokens"),
    path("accounts/recovery-codes/", account_views.recovery_codes, name="recovery-codes"),
    path("accounts/link/<str:token>/", account_views.account_link, name="account-link"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("yuqing.monitoring.urls")),
    path("notify/", include("yuqing.notify.urls")),
    path("inbox/", include("yuqing.notify.inbox_urls")),
    path("detection/", include("yuqing.detection.urls")),
    path("publishing/", include("yuqing.publishing.urls")),
    path("registry/", include("yuqing.registry.urls")),
    path("cases/", include("yuqing.incidents.urls")),
    path("reports/", include("yuqing.reports.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/", include(router.urls)),
]
