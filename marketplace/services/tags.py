import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from marketplace.models import Tag
from marketplace.models.tags import normalize_tag

MAX_TAGS = 12
MAX_TAG_LENGTH = 50


def tags_parse(text: str) -> list[str]:
    """Split what a person typed into tag names: commas (also Chinese ，、) or new lines."""
    for separator in ("，", "、", "\n", ";", "；"):
        text = text.replace(separator, ",")
    return [name.strip() for name in text.split(",") if name.strip()]


def tags_get_or_create(*, names: list[str]) -> list[Tag]:
    """The tags for these names, created when new; duplicates (by key) once."""
    by_key: dict[str, str] = {}  # key: the name as first written
    for name in names:
        key = normalize_tag(name)
        if not key:
            continue
        # Measured after normalisation: NFKC can lengthen text (one ligature
        # becomes many letters), and the stored name and key must fit.
        if max(len(key), len(" ".join(unicodedata.normalize("NFKC", name).split()))) > MAX_TAG_LENGTH:
            raise ValidationError({"tags": _("A tag can have at most %(n)d characters.") % {"n": MAX_TAG_LENGTH}})
        by_key.setdefault(key, name)
    if len(by_key) > MAX_TAGS:
        raise ValidationError({"tags": _("Use at most %(n)d tags.") % {"n": MAX_TAGS}})
    tags = []
    for name in by_key.values():
        tag = Tag(name=name)
        tag.clean()
        # get_or_create retries the read when a concurrent insert wins the race.
        tag, _created = Tag.objects.get_or_create(key=tag.key, defaults={"name": tag.name})
        tags.append(tag)
    return tags
