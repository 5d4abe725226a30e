"""The product's own error pages (never Django's debug page) and the Permissions-Policy header on every response."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_unknown_url_shows_the_products_404_without_the_route_list(client):
    response = client.get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in body and "URLconf" not in body and "admin/" not in body
    assert "camera=()" in response["Permissions-Policy"]


def test_server_error_and_forbidden_pages_are_the_products():
    request = RequestFactory().get("/")
    error = defaults.server_error(request)
    assert error.status_code == 500 and "Something went wrong" in error.content.decode()
    denied = defaults.permission_denied(request, PermissionDenied())
    assert denied.status_code == 403 and "Not allowed" in denied.content.decode()


@pytest.mark.parametrize("path", ["/accounts/login/", "/join/", "/static/css/roils.css"])
def test_permissions_policy_on_every_response(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = response["Permissions-Policy"]
    assert "camera=()" in policy and "microphone=()" in policy and "geolocation=()" in policy
