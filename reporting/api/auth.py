"""The API's authentication (a bearer token, checked in the database on every request), scopes and per-token
rate limit."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from practices.scoping import TokenPrincipal

from ..tokens import api_token_authenticate


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <secret>`: the request acts as the token's PSO (TokenPrincipal); request.auth is the
    token. Nothing is cached: a revoked token is refused on its very next request."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the header as: Authorization: Bearer <token>.")
        try:
            secret = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        token = api_token_authenticate(secret)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        return TokenPrincipal(token_id=token.pk, pso_id=token.pso_id), token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'  # makes a missing or bad token a 401, not a 403


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The token scheme in the OpenAPI schema."""

    target_class = BearerTokenAuthentication
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A PSO API token (made by the PSO's staff)."}


class HasTokenScope(permissions.BasePermission):
    """The token carries the view's `required_scope` (403 otherwise); only reading methods are served."""

    message = "This token lacks the scope this endpoint needs."

    def has_permission(self, request, view):
        token = request.auth
        if token is None or not isinstance(request.user, TokenPrincipal):
            return False
        return getattr(view, "required_scope", None) in (token.scopes or [])


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """Requests per token (its id) in the cache; while Redis is down the cache misses, so nothing is throttled."""

    scope = "api_token"

    def get_rate(self):
        return settings.ROILS_API_TOKEN_RATE

    def get_cache_key(self, request, view):
        if request.auth is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
