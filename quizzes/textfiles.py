"""The checks every uploaded or imported text file goes through, written once.

JSON and GIFT imports, the admin's upload form and the management commands all call these, so
an instructor gets the same message for the same fault wherever the file came in.
"""

import re

from django.utils.translation import gettext as _

MAX_IMPORT_BYTES = 5 * 1024 * 1024

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Control characters that never occur in a text file (tab, newlines, VT and FF are allowed).
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f]")


class TextFileError(ValueError):
    """A file that is not a UTF-8 text file we accept; `line` is 1-based, or None.

    The message is translated when raised, in the language of the person who uploaded.
    """

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        if not self.line:
            return str(self.message)
        return _("Line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


def check_size(size: int) -> None:
    """Refuse a file over the limit before anyone reads it into memory."""
    if size > MAX_IMPORT_BYTES:
        raise TextFileError(
            _("The file is too large (%(size).1f MB); the limit is %(limit)d MB.")
            % {"size": size / (1024 * 1024), "limit": MAX_IMPORT_BYTES // (1024 * 1024)}
        )


def line_of_byte(data: bytes, position: int) -> int:
    """The 1-based line of the byte at `position`, counting CRLF, CR and LF breaks."""
    before = data[:position]
    return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1


def _looks_like_utf16(data: bytes) -> bool:
    if data.startswith(_UTF16_BOMS):
        return True
    # Without a BOM, UTF-16 text of a Latin script has a NUL in every other byte.
    sample = data[:400]
    return len(sample) >= 4 and (
        sample[1::2].count(0) >= len(sample) // 4 or sample[0::2].count(0) >= len(sample) // 4
    )


def decode_text_file(data: bytes) -> str:
    """Return the file's text without a BOM and with every line break a LF.

    Refuse, naming the line where one applies: an oversized, UTF-16, empty, binary or
    non-UTF-8 file.
    """
    check_size(len(data))
    if _looks_like_utf16(data):
        raise TextFileError(
            _("The file is saved as UTF-16 text; save it as UTF-8 and upload it again.")
        )
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    if not data.strip():
        raise TextFileError(_("The file is empty."))
    control = _CONTROL_BYTES.search(data)
    control_at = control.start() if control else len(data)
    try:
        data.decode("utf-8")
        invalid_at = len(data)
    except UnicodeDecodeError as error:
        invalid_at = error.start
    # A NUL anywhere means binary, named at the first bad byte even when that one is not UTF-8
    # (an image).
    if control_at < invalid_at or b"\x00" in data:
        control_at = min(control_at, invalid_at)
        raise TextFileError(
            _(
                "the file contains binary data (character code %(code)d), not plain text. Is "
                "this really a question file?"
            )
            % {"code": data[control_at]},
            line_of_byte(data, control_at),
        )
    if invalid_at < len(data):
        raise TextFileError(
            _(
                "the file is not UTF-8 text (this line holds the first character that is not "
                "UTF-8); save it as UTF-8 and upload it again."
            ),
            line_of_byte(data, invalid_at),
        )
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
