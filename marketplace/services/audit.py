from django.contrib.contenttypes.models import ContentType
from django.db import models

from marketplace.models import AuditEvent


def audit_record(
    *,
    actor,
    target: models.Model,
    organization,
    action: str,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
) -> AuditEvent:
    """Write one audit event. Call inside the transaction of the change it records."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        organization=organization,
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
    )
