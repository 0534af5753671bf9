"""Domain errors; the API turns each into an RFC 7807 problem document."""


class DomainError(Exception):
    status = 400
    title = "Request refused"

    def __init__(self, detail: str, *, field: str | None = None):
        super().__init__(detail)
        self.detail = detail
        self.field = field


class NotFound(DomainError):
    status, title = 404, "Not found"


class Forbidden(DomainError):
    status, title = 403, "Forbidden"


class Unauthenticated(DomainError):
    status, title = 401, "Not authenticated"


class Conflict(DomainError):
    status, title = 409, "Conflict"


class InvalidInput(DomainError):
    status, title = 422, "Invalid input"
