from marketplace.models.applications import Application, Invitation, Message
from marketplace.models.audit import AuditEvent
from marketplace.models.listings import Capability, Need
from marketplace.models.notifications import Notification
from marketplace.models.tags import Tag

__all__ = ["Application", "AuditEvent", "Capability", "Invitation", "Message", "Need", "Notification", "Tag"]
