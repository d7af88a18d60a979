"""Exceptions every app may raise and every entry point understands."""


class StateConflict(Exception):
    """An action that the object's current state does not allow (a listing
    already published, an application already decided). Pages show its
    message; the API answers 409 (config/api/errors.py). Raised before
    anything is written."""
