"""Template filters of matching."""

from django import template

from matching import reasons

register = template.Library()
register.filter("reason_sentences", reasons.reason_sentences)
