"""Browser tests only."""

import pytest


@pytest.fixture(autouse=True)
def real_sign_in_controls(settings):
    """Browser tests sign in through the real form, so the real controls are on: 2FA, lockout, rate limits."""
    settings.ROILS_ENFORCE_2FA = True
    settings.AXES_ENABLED = True
    settings.RATELIMIT_ENABLE = True
