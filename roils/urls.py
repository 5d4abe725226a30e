"""URL configuration: each app owns its namespace."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from practices import twofactor
from practices import views as practice_views

urlpatterns = [
    path("", practice_views.HomeView.as_view(), name="home"),
    path("accounts/login/", practice_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/logout/everywhere/", practice_views.SignOutEverywhereView.as_view(), name="logout-everywhere"),
    path("accounts/password_reset/", practice_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/2fa/setup/", twofactor.TwoFactorSetupView.as_view(), name="two-factor-setup"),
    path("accounts/2fa/verify/", twofactor.TwoFactorVerifyView.as_view(), name="two-factor-verify"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("practices.urls")),
    path("events/", include("events.urls")),
    path("review/", include("review.urls")),
    path("reporting/", include("reporting.urls")),
    path("admin/login/", practice_views.AdminLoginRedirectView.as_view(), name="admin-login"),
    path("admin/", admin.site.urls),
]
