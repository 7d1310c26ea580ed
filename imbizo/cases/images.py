"""Photos attached to fault reports: check, clean and shrink them before we keep them.

Residents send photos from phones over the web form, WhatsApp and the API. We trust
nothing about them: the type is sniffed from the bytes, the size is checked before
decoding, the pixel count before ``load()``, and the image is re-encoded from its
pixels so no metadata (EXIF with GPS, XMP, comments, colour profiles) survives.
Pure functions on bytes; storing the result is the caller's job.
"""

import hashlib
import io
import struct
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps

from imbizo.core.errors import ImbizoError

# Pillow format -> (content type, extension). Only these are accepted.
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
JPEG_OPTIONS = {"quality": 82, "optimize": True, "progressive": True}
SAVE_OPTIONS = {"JPEG": JPEG_OPTIONS, "PNG": {"optimize": True}, "WEBP": {"quality": 82}}
THUMB_OPTIONS = {"quality": 75, "optimize": True}
# What Pillow raises on damaged or hostile files (UnidentifiedImageError is an OSError).
DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error)
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@dataclass(frozen=True)
class PreparedImage:
    content: bytes
    content_type: str
    extension: str
    width: int
    height: int
    thumbnail: bytes  # always JPEG: every browser, mail client and PDF library shows it
    thumb_width: int
    thumb_height: int
    sha256: str  # of ``content``, to spot the same photo sent twice
    original_type: str  # content type sniffed from what the resident sent


def image_prepare(
    data: bytes,
    *,
    max_bytes: int,
    max_pixels: int = 40_000_000,
    max_side: int = 2048,
    thumb_side: int = 320,
) -> PreparedImage:
    """Check an uploaded photo and return a clean, upright, bounded copy and a thumbnail."""
    if len(data) > max_bytes:
        megabytes = f"{round(max_bytes / 2**20, 1):g}"
        raise ImbizoError(
            "image_too_large",
            _("Please send a photo smaller than %(megabytes)s MB.") % {"megabytes": megabytes},
            status=413,
            limit_bytes=max_bytes,
        )
    kind = image_sniff(data)
    if kind is None:
        raise unsupported_image()
    try:
        # formats=[kind]: only the plugin the magic number names may parse these bytes.
        with Image.open(io.BytesIO(data), formats=[kind]) as img:
            if {"MPO": "JPEG"}.get(img.format, img.format) != kind:  # MPO: phone HDR/depth
                raise unsupported_image()
            # Our own limit, from the header, before any pixel is decoded; Pillow's global
            # MAX_IMAGE_PIXELS is process-wide and too generous to lean on.
            if img.width * img.height > max_pixels:
                raise _too_many_pixels(max_pixels)
            img.draft(None, (max_side, max_side))  # JPEG: decode at 1/2..1/8 scale if enough
            img.load()
            img = ImageOps.exif_transpose(img)  # phone photos stay upright without EXIF
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):  # if -W error
        raise _too_many_pixels(max_pixels) from None
    except DECODE_ERRORS:
        raise unsupported_image() from None

    mode = _target_mode(img)
    if img.mode not in (mode, "CMYK"):  # settle first: palette images resize badly
        img = _convert(img, mode)
    img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)  # only ever shrinks
    img = _convert(_to_srgb(img), mode)
    img.info = {}  # some encoders fall back to it (JPEG comment, PNG profile): leave nothing
    # Opaque PNGs are photos or screenshots: JPEG is a tenth of the size. Alpha stays PNG.
    out_format = "JPEG" if kind == "PNG" and img.mode != "RGBA" else kind
    content = _encode(img, out_format, **SAVE_OPTIONS[out_format])
    thumb = img.copy()
    thumb.thumbnail((thumb_side, thumb_side), Image.Resampling.LANCZOS)
    if thumb.mode == "RGBA":  # JPEG has no alpha: lay it on white like a page
        flat = Image.new("RGB", thumb.size, "white")
        flat.paste(thumb, mask=thumb.getchannel("A"))
        thumb = flat
    content_type, extension = FORMATS[out_format]
    return PreparedImage(
        content=content,
        content_type=content_type,
        extension=extension,
        width=img.width,
        height=img.height,
        thumbnail=_encode(thumb, "JPEG", **THUMB_OPTIONS),
        thumb_width=thumb.width,
        thumb_height=thumb.height,
        sha256=hashlib.sha256(content).hexdigest(),
        original_type=FORMATS[kind][0],
    )


def image_sniff(data: bytes) -> str | None:
    """The Pillow format named by the file's magic number, or None if we don't take it."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _target_mode(img: Image.Image) -> str:
    """L, RGB or RGBA: what every browser and our three encoders handle alike."""
    if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
        return "RGBA"
    return "L" if img.mode in ("1", "L", "I;16", "I") else "RGB"


def _convert(img: Image.Image, mode: str) -> Image.Image:
    if img.mode in ("I;16", "I"):  # 16-bit greyscale PNG: scale to 8 bits, don't clip to white
        img = img.convert("I").point(lambda v: v * (1 / 256))
    return img.convert(mode) if img.mode != mode else img


def _to_srgb(img: Image.Image) -> Image.Image:
    """Bake an embedded colour profile into sRGB pixels, so dropping it keeps the colours."""
    icc = img.info.get("icc_profile")
    if not icc or img.mode not in ("RGB", "RGBA", "CMYK"):
        return img
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        mode = "RGBA" if img.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(img, source, SRGB, outputMode=mode)
    except (ImageCms.PyCMSError, *DECODE_ERRORS):
        return img  # an unreadable profile: keep the pixels as they are, drop the profile


def _encode(img: Image.Image, format: str, **options) -> bytes:
    out = io.BytesIO()
    img.save(out, format=format, **options)
    return out.getvalue()


def unsupported_image() -> ImbizoError:
    """What a resident is told of a file that is no photo Imbizo can read."""
    return ImbizoError(
        "unsupported_image",
        _("Sorry, we can't read that file. Please send a photo as JPEG, PNG or WebP."),
        status=415,
    )


def _too_many_pixels(max_pixels: int) -> ImbizoError:
    megapixels = f"{max_pixels / 1_000_000:g}"
    return ImbizoError(
        "image_too_large",
        _("That photo has more than %(megapixels)s megapixels. Please send a smaller one.")
        % {"megapixels": megapixels},
        status=413,
        limit_pixels=max_pixels,
    )
