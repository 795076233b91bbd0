"""The project's one domain exception type, shared by every app's services.

Services raise `django.core.exceptions.ValidationError` for invalid input,
`django.core.exceptions.PermissionDenied` when the user may not do this, and `Conflict`
when the input is fine but the state of things refuses it (out of stock, not enough money,
buying one's own product). HTML views show the message; the API maps it to HTTP 409.
"""


class Conflict(Exception):
    """The operation is refused by the current state of the data."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)
