"""URL configuration: each app owns its namespace."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from practices import twofactor
from practices.views import account, home

urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("glossary/", home.GlossaryView.as_view(), name="glossary"),
    path("accounts/login/", account.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/logout/everywhere/", account.SignOutEverywhereView.as_view(), name="logout-everywhere"),
    path("accounts/password_reset/", account.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/2fa/setup/", twofactor.TwoFactorSetupView.as_view(), name="two-factor-setup"),
    path("accounts/2fa/verify/", twofactor.TwoFactorVerifyView.as_view(), name="two-factor-verify"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("practices.urls")),
    path("events/", include("events.urls")),
    path("review/", include("review.urls")),
    path("reporting/", include("reporting.urls")),
    path("analytics/", include("analytics.urls")),
    path("api/", include("reporting.api.urls")),
    path("admin/login/", account.AdminLoginRedirectView.as_view(), name="admin-login"),
    path("admin/", admin.site.urls),
]
