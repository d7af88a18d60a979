"""The unsubscribe link of the weekly digest: a signed user id, the only
credential the link needs. It lives with the accounts because it names a user
and turns off a user's setting; the digest (matching) only puts it in e-mails.

Signed, not stored: it needs no sign-in and does not expire, so the links in
old e-mails keep working; it can do nothing but turn the digest off.
"""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User

UNSUBSCRIBE_SALT = "accounts.digest-unsubscribe"


def digest_unsubscribe_token(user: User) -> str:
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def digest_unsubscribe_url(user: User) -> str:
    """The absolute link, for e-mails (built on SITE_URL)."""
    path = reverse("accounts:digest_unsubscribe", kwargs={"token": digest_unsubscribe_token(user)})
    return settings.SITE_URL.rstrip("/") + path


def digest_unsubscribe_user(*, token: str) -> User:
    """The person an unsubscribe link is for; a clear ValidationError when the
    link is damaged or the account is gone."""
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise ValidationError(
            _(
                "This unsubscribe link is not valid. Check that you copied all of it, or turn the digest off in your profile."
            )
        ) from None
    user = User.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if user is None:
        raise ValidationError(_("This unsubscribe link belongs to an account that no longer exists."))
    return user
