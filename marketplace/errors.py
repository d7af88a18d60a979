from config.errors import StateConflict


class TransitionNotAllowed(StateConflict):
    """A state change that the object's current state does not allow.

    Shown to people as a message and answered with 409 by the API. Raised
    before anything is written.
    """
