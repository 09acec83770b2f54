"""User-facing refusals. The message is Japanese and shown to the cashier as is."""


class RegiError(Exception):
    """A refused operation. ``str(error)`` is the Japanese message for the screen.

    Raising it guarantees nothing was changed: callers validate before mutating.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
