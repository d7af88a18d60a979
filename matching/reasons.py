"""Reasons of a match as short, translated sentences with their values
(the pages through the reason_sentences filter, and the API)."""

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.choices import Industry, Province, SizeBand
from config.text import human_list
from marketplace.choices import CapabilityKind


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _money(value) -> str:
    return number_format(round(value), force_grouping=True)


def _range(low, high) -> str:
    """CNY amounts of a range that may be open at either end."""
    if low is not None and high is not None:
        if low == high:
            return _("CNY %(amount)s") % {"amount": _money(low)}
        return _("CNY %(low)s–%(high)s") % {"low": _money(low), "high": _money(high)}
    if low is not None:
        return _("from CNY %(amount)s") % {"amount": _money(low)}
    return _("up to CNY %(amount)s") % {"amount": _money(high)}


def _price(reason: dict) -> str:
    low, high = reason.get("price_min"), reason.get("price_max")
    if high == 0 or (low is None and high is None):
        return _("free to use")
    budget_low, budget_high = reason.get("budget_min"), reason.get("budget_max")
    if budget_low is None and budget_high is None:
        return _("price %(price)s a month") % {"price": _range(low, high)}
    return _("price %(price)s a month; budget %(budget)s") % {
        "price": _range(low, high),
        "budget": _range(budget_low, budget_high),
    }


def reason_sentence(reason: dict) -> str:
    code = reason.get("code")
    if code == "text":
        words = reason.get("words") or []
        if words:
            return _("similar wording: %(words)s") % {"words": human_list(words)}
        if reason.get("meaning"):
            return _("similar in meaning to “%(phrase)s”") % {"phrase": reason["meaning"]}
        # Without a word or phrase to show, "similar wording" says nothing a reader can check.
        return ""
    if code == "tags":
        return _("shared tags: %(tags)s") % {"tags": human_list(reason.get("tags") or [])}
    if code == "kind":
        return _("the kind wanted: %(kind)s") % {"kind": _label(CapabilityKind, reason.get("kind"))}
    if code == "industry":
        return _("made for the industry: %(industry)s") % {"industry": _label(Industry, reason.get("industry"))}
    if code == "region":
        return _("same province: %(region)s") % {"region": _label(Province, reason.get("region"))}
    if code == "budget":
        return _price(reason)
    if code == "size":
        return _("meant for firms of this size: %(size)s") % {"size": _label(SizeBand, reason.get("size"))}
    if code == "track_record":
        accepted, decided = reason.get("accepted", 0), reason.get("decided", 0)
        if not decided:
            return _("welcomes applications")
        return ngettext(
            "accepted %(accepted)s of %(decided)s application",
            "accepted %(accepted)s of %(decided)s applications",
            decided,
        ) % {"accepted": accepted, "decided": decided}
    if code == "freshness":
        days = reason.get("days")
        if days is None:
            return _("recently listed")
        if days == 0:
            return _("listed today")
        return ngettext("listed %(days)s day ago", "listed %(days)s days ago", days) % {"days": days}
    return ""


# What the platform already knows of its own capability is no reason to it.
OWN_FACTS = {"sme": frozenset(), "platform": frozenset({"freshness", "track_record"})}


def reason_sentences(match, side: str = "sme") -> list[str]:
    """The match's reasons as sentences, for the SME side or the platform side."""
    hidden = OWN_FACTS.get(side, frozenset())
    reasons = (reason for reason in match.reasons or [] if reason.get("code") not in hidden)
    return [sentence for sentence in map(reason_sentence, reasons) if sentence]
