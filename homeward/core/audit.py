"""Writing the audit log. Services call `record` inside their own transaction."""

from typing import Any

from homeward.core import clock
from homeward.core.access import Actor
from homeward.core.models import AuditEvent


def record(
    actor: Actor,
    action: str,
    obj: Any = None,
    *,
    object_type: str = "",
    object_id: str = "",
    **detail: Any,
) -> AuditEvent:
    """Append one audit row naming the actor, their organisation and role."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    return AuditEvent.objects.create(
        at=clock.now(),
        user=actor.user,
        username=actor.username,
        organisation=actor.organisation,
        role=actor.role,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )
