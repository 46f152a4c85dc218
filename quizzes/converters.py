"""URL converters: a malformed verification code never reaches a view or the database."""

from .records import CODE_PATTERN


class VerificationCodeConverter:
    regex = CODE_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
