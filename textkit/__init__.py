"""Text helpers shared by search (marketplace) and matching (matching.ml):
standard library only, no Django, no app."""
