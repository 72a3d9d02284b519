"""The console's exception types.

Every entry point validates its input and raises one of these with a message a dispatcher can
act on (in Chinese, with the English code name of the problem in ``code``). Nothing is written
when one is raised: services raise before they commit.
"""

from __future__ import annotations


class ConsoleError(Exception):
    """Base of every error the console reports to a person rather than as a traceback."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(ConsoleError):
    """Input that cannot be accepted as given (a missing field, text too long, not a number)."""

    code = "invalid"


class MissingFieldError(ValidationError):
    code = "missing_field"


class TextTooLongError(ValidationError):
    code = "text_too_long"


class UnknownCategoryError(ValidationError):
    code = "unknown_category"


class UnknownDepartmentError(ValidationError):
    code = "unknown_department"


class InvalidCoordinatesError(ValidationError):
    code = "invalid_coordinates"


class OutsideDistrictError(ValidationError):
    code = "outside_district"


class InvalidTimeLimitError(ValidationError):
    code = "invalid_time_limit"


class GeographyImportError(ValidationError):
    """A geography file that cannot be imported; ``problems`` lists each feature's fault."""

    code = "geography_rejected"

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


class DatabaseUnavailableError(ConsoleError):
    """The database cannot be reached (server down, file locked too long)."""

    code = "database_unavailable"


class CaseNotFoundError(ConsoleError):
    code = "case_not_found"


class IllegalTransitionError(ConsoleError):
    """The action is not allowed in the case's current state."""

    code = "illegal_transition"


class PermissionDeniedError(ConsoleError):
    """The actor's role (or department) may not take this action."""

    code = "permission_denied"


class StaleVersionError(ConsoleError):
    """Someone else changed the case since the actor loaded it (optimistic locking)."""

    code = "conflict"


class AuthenticationError(ConsoleError):
    """Sign-in refused: wrong name or password (never says which), no password set, inactive."""

    code = "authentication_failed"


class AccountLockedError(AuthenticationError):
    """Too many failed sign-ins: the account is locked until ``locked_until`` (aware)."""

    code = "account_locked"

    def __init__(self, message: str, locked_until: object = None) -> None:
        super().__init__(message)
        self.locked_until = locked_until


class WeakPasswordError(ValidationError):
    """A new password that the security policy (resources/org/security_policy.toml) refuses."""

    code = "weak_password"


class ScheduleImportError(ValidationError):
    """A holiday schedule file that cannot be loaded; ``problems`` lists each line's fault."""

    code = "schedule_import"

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message, field="calendar")
        self.problems = problems
