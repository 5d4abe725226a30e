"""PSO staff make an API token in the browser, copy its secret once, use it, and revoke it."""

import urllib.error
import urllib.request

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "pso"])]


def _status(url: str, headers: dict) -> int:
    """The HTTP status of a GET (the standard library: no client package only for tests)."""
    assert url.startswith("http://127.0.0.1") or url.startswith("http://localhost")  # the live server only
    try:
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 - the test's own live server
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_staff_creates_uses_and_revokes_a_token(page, live_server, world, login, tmp_path):
    login(page, "staff.pso")
    page.goto(f"{live_server.url}/reporting/api-tokens/")
    page.get_by_label("Name").fill("Quarterly report")
    page.get_by_label("Rollups: the dashboards' totals, breakdowns and trend").uncheck()
    page.get_by_role("button", name="Create token").click()
    page.wait_for_load_state("networkidle")
    secret = page.get_by_label("Secret").input_value()
    assert secret.startswith("roils_")
    page.screenshot(path=str(tmp_path / "api-tokens-created.png"), full_page=True)

    api = f"{live_server.url}/api/v1/records/"
    headers = {"Authorization": f"Bearer {secret}"}
    assert _status(api, headers) == 200
    assert _status(f"{live_server.url}/api/v1/rollups/", headers) == 403

    page.goto(f"{live_server.url}/reporting/api-tokens/")
    assert secret not in page.content()  # shown once
    row = page.get_by_role("row", name="Quarterly report")
    assert row.get_by_test_id("token-uses").inner_text() == "2"  # each use counted, the refused one too
    row.get_by_role("button", name="Revoke Quarterly report").click()
    page.wait_for_load_state("networkidle")
    assert "Revoked" in page.get_by_role("row", name="Quarterly report").inner_text()
    assert _status(api, headers) == 401
    page.screenshot(path=str(tmp_path / "api-tokens-revoked.png"), full_page=True)

    page.goto(f"{live_server.url}/api/docs/")
    assert page.get_by_role("heading", name="PSO read API").is_visible()
    page.screenshot(path=str(tmp_path / "api-docs.png"), full_page=True)
