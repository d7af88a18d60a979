import unicodedata

from django.db import models
from django.utils.translation import gettext_lazy as _


def normalize_tag(name: str) -> str:
    """The comparison key of a tag: NFKC (full-width letters become ASCII),
    case-folded, inner whitespace collapsed. "ＯＣＲ", "ocr " and "OCR" are one tag."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


class Tag(models.Model):
    """A free keyword, in Chinese or English, shared by capabilities and needs."""

    name = models.CharField(_("name"), max_length=50)
    key = models.CharField(_("key"), max_length=50, unique=True, editable=False)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(key=""), name="marketplace_tag_key_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        self.name = " ".join(unicodedata.normalize("NFKC", self.name).split())
        self.key = normalize_tag(self.name)
