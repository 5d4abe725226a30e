"""The client's address behind a reverse proxy, for rate limits, lockouts and the access log.

Behind a TLS-terminating proxy every request comes from the proxy's address, so per-address rate limits
(django-ratelimit), lockouts (django-axes) and the access log would count a whole clinic as one client. Each
trusted proxy appends the address it was connected from to X-Forwarded-For; with N of them in front, the
N-th entry from the right is the client, and anything to its left was sent by the client and is not trusted.
This sets REMOTE_ADDR to that entry, once, before anything reads it (as werkzeug's ProxyFix does for x_for).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def forwarded_client(forwarded_for: str, trusted_proxies: int) -> str | None:
    """The client address among the X-Forwarded-For entries the trusted proxies appended, or None."""
    if trusted_proxies < 1 or not forwarded_for:
        return None
    entries = [entry.strip() for entry in forwarded_for.split(",")]
    if len(entries) < trusted_proxies:
        return None  # fewer entries than proxies: the header did not come through all of them
    candidate = entries[-trusted_proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


class ForwardedForMiddleware:
    """REMOTE_ADDR from X-Forwarded-For when TRUSTED_PROXY_COUNT proxies sit in front (BEHIND_PROXY)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        client = forwarded_client(request.META.get("HTTP_X_FORWARDED_FOR", ""), settings.TRUSTED_PROXY_COUNT)
        if client is not None:
            request.META["REMOTE_ADDR"] = client
        return self.get_response(request)
