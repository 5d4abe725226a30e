"""Playwright against Debian's Chromium (no browser download), on Django's live server."""

import base64
import os
import shutil

import pyotp
import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        raise pytest.UsageError(f"Chromium not found at {CHROMIUM}: install Debian's chromium (see .ci/run).")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS, "headless": True}


def totp_now(username) -> str | None:
    """The current authenticator code of a user with a (demo) TOTP device, else None."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is None:
        return None
    return pyotp.TOTP(base64.b32encode(device.bin_key).decode()).now()


@pytest.fixture
def login(live_server, password):
    """Sign a page in as a user through the real login form (with the authenticator code when it has one)."""

    def _login(page, username, *, otp_token=None):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        otp_token = otp_token or totp_now(username)
        if otp_token is not None:
            page.locator("#id_otp_token").fill(otp_token)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("networkidle")
        return page

    return _login
