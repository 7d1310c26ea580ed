"""Is this upload a PDF? Checked from the bytes, never from the name or the type the
browser claims: the header a PDF starts with, the end-of-file mark a complete one carries,
and a size limit. A form that passes is served as ``application/pdf`` and nothing else."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from imbizo.core.errors import ImbizoError

HEADER = b"%PDF-"
HEAD = 1024  # readers accept the header anywhere in the first kilobyte
TAIL = 2048  # where a complete PDF's %%EOF is found (trailing bytes are common)


@dataclass(frozen=True)
class CheckedPdf:
    content: bytes
    sha256: str


def max_bytes() -> int:
    return settings.ATTACHMENT_MAX_BYTES


def pdf_check(content: bytes) -> CheckedPdf:
    """The bytes, if they are a whole PDF within the size limit; else a refusal on the
    ``file`` field."""
    if not content:
        raise ImbizoError("empty_file", _("The file is empty."), field="file")
    if len(content) > max_bytes():
        raise ImbizoError("file_too_large", _("The file is larger than %(mb)s MB.")
                          % {"mb": max_bytes() // (1024 * 1024)}, field="file")
    if HEADER not in content[:HEAD] or \
            b"%%EOF" not in content[-TAIL:]:
        raise ImbizoError("not_a_pdf", _("That file is not a PDF. Upload the form as a PDF."),
                          field="file")
    return CheckedPdf(content, hashlib.sha256(content).hexdigest())
