"""Portraits: a published photo is checked and re-encoded (no metadata, bounded size);
anything else is refused with a reason; drawn initials stand in where there is none."""

import io

import pytest
from PIL import Image

from imbizo.representatives.portraits import (
    MAX_PIXELS,
    SIDE,
    initials,
    initials_portrait,
    portrait_prepare,
)

from .conftest import jpeg


def test_a_photo_is_shrunk_and_loses_its_metadata():
    exif = Image.Exif()
    exif[0x010F] = "Secret Camera Co"  # Make
    data = jpeg(size=(1200, 1600), exif=exif.tobytes(), comment=b"taken at home")
    portrait = portrait_prepare(data)
    image = Image.open(io.BytesIO(portrait.content))
    assert image.format == "JPEG" and max(image.size) == SIDE
    assert not image.getexif() and "comment" not in image.info
    assert b"Secret Camera" not in portrait.content and len(portrait.sha256) == 64


def test_a_transparent_png_is_laid_on_white():
    out = io.BytesIO()
    Image.new("RGBA", (20, 20), (0, 0, 0, 0)).save(out, "PNG")
    image = Image.open(io.BytesIO(portrait_prepare(out.getvalue()).content))
    assert image.getpixel((10, 10))[0] > 240


@pytest.mark.parametrize("data, reason", [
    (b"GIF89a" + b"\x00" * 20, "not a JPEG, PNG or WebP"),
    (b"\xff\xd8\xff" + b"\x00" * 20, "cannot be read as an image"),
])
def test_what_is_no_usable_photo_is_refused_saying_why(data, reason):
    with pytest.raises(ValueError, match=reason):
        portrait_prepare(data)


def test_a_photo_with_too_many_pixels_is_refused_before_decoding(monkeypatch):
    monkeypatch.setattr("imbizo.representatives.portraits.MAX_PIXELS", 100)
    with pytest.raises(ValueError, match="megapixels"):
        portrait_prepare(jpeg(size=(20, 20)))
    assert MAX_PIXELS >= 10_000_000


@pytest.mark.parametrize("name, expected", [
    ("Thandi Mokoena", "TM"), ("Pieter van der Merwe", "PM"), ("Zola", "Z"), ("", "?")])
def test_initials_are_of_the_first_and_last_name(name, expected):
    assert initials(name) == expected


def test_an_initials_portrait_is_a_square_jpeg():
    image = Image.open(io.BytesIO(initials_portrait("Thandi Mokoena", side=120)))
    assert (image.format, image.size) == ("JPEG", (120, 120))
