"""Portraits of representatives: a published photo checked and re-encoded before it is
kept, and an initials portrait drawn where there is none (or its file went missing), so
that no page ever shows a broken image.

As with case photos (cases/images.py) nothing about a file is trusted: the type comes
from its first bytes, the size and pixel count are checked before decoding, and the
image is re-encoded from its pixels, so no metadata survives. A portrait is small and
always JPEG. Pure functions on bytes; storing is the importer's job.
"""

import hashlib
import io
import struct
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont, ImageOps

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
SIDE = 480  # the longest side kept
FORMATS = {b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG"}
DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error,
                 Image.DecompressionBombError)
# Background colours of drawn portraits: dark enough for white initials to read well.
PALETTE = ((11, 79, 156), (20, 110, 80), (140, 60, 20), (100, 40, 120), (30, 90, 110),
           (150, 40, 60), (70, 80, 30), (40, 40, 90))


@dataclass(frozen=True)
class Portrait:
    content: bytes  # JPEG
    sha256: str


def _format(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return next((kind for magic, kind in FORMATS.items() if data.startswith(magic)), None)


def portrait_prepare(data: bytes) -> Portrait:
    """A clean JPEG of at most SIDE pixels a side, or ValueError saying what is wrong."""
    if len(data) > MAX_BYTES:
        raise ValueError(f"the photo is larger than {MAX_BYTES // 2**20} MB")
    kind = _format(data)
    if kind is None:
        raise ValueError("the photo is not a JPEG, PNG or WebP image")
    try:
        with Image.open(io.BytesIO(data), formats=[kind]) as img:
            pixels = img.width * img.height  # from the header: nothing decoded yet
            if pixels <= MAX_PIXELS:
                img.draft("RGB", (SIDE, SIDE))  # JPEG: decode at a fraction of the size
                img.load()
                img = ImageOps.exif_transpose(img)
    except DECODE_ERRORS:
        raise ValueError("the photo cannot be read as an image") from None
    if pixels > MAX_PIXELS:
        raise ValueError(f"the photo has more than {MAX_PIXELS / 1_000_000:g} megapixels")
    if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
        flat = Image.new("RGB", img.size, "white")  # JPEG has no alpha: lay it on white
        rgba = img.convert("RGBA")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        img = flat
    img = img.convert("RGB")
    img.thumbnail((SIDE, SIDE), Image.Resampling.LANCZOS)
    img.info = {}  # the encoder would write a comment or profile kept there
    content = _jpeg(img)
    return Portrait(content, hashlib.sha256(content).hexdigest())


def initials(name: str) -> str:
    """"Thandi van der Merwe" -> "TM": the first and last word's first letters."""
    words = [w for w in name.split() if w[:1].isalpha()]
    if not words:
        return "?"
    first, last = words[0], words[-1]
    return (first[0] + (last[0] if len(words) > 1 else "")).upper()


def initials_portrait(name: str, *, side: int = 240) -> bytes:
    """A square JPEG with the person's initials on a colour chosen by their name."""
    digest = hashlib.sha256(name.encode()).digest()
    img = Image.new("RGB", (side, side), PALETTE[digest[0] % len(PALETTE)])
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=side * 2 // 5)
    draw.text((side / 2, side / 2), initials(name), fill="white", font=font, anchor="mm")
    return _jpeg(img)


def _jpeg(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=82, optimize=True, progressive=True)
    return out.getvalue()
