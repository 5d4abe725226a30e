"""Checks shared by the practices app's writes: who may manage an agreement's logins, who acts for a PSO."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from ..models import PSO, Agreement, User
from ..scoping import user_access


def can_manage(by: User, agreement: Agreement) -> bool:
    access = user_access(by)
    return agreement.pk in access.manage or agreement.pso_id in access.pso_staff


def require_pso_staff(by: User, pso: PSO) -> None:
    if pso.pk not in user_access(by).pso_staff:
        raise PermissionDenied("Only this PSO's staff can do that.")
