"""The photo pipeline, fed with images drawn in memory: no binary fixtures."""

import dataclasses
import hashlib
import io
import struct
import zlib

import pytest
from PIL import ExifTags, Image

from imbizo.cases.images import PreparedImage, image_prepare, image_sniff
from imbizo.core.errors import ImbizoError

MB = 2**20
RED, BLUE = (220, 20, 20), (20, 20, 220)


def encode(img: Image.Image, format: str, **options) -> bytes:
    out = io.BytesIO()
    img.save(out, format=format, **options)
    return out.getvalue()


def reopen(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def prepare(data: bytes, **options) -> PreparedImage:
    return image_prepare(data, **{"max_bytes": 10 * MB, **options})


def refused(data: bytes, **options) -> ImbizoError:
    with pytest.raises(ImbizoError) as caught:
        prepare(data, **options)
    return caught.value


def red_top_blue_bottom(width: int, height: int) -> Image.Image:
    img = Image.new("RGB", (width, height), BLUE)
    img.paste(RED, (0, 0, width, height // 2))
    return img


def phone_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # camera held upright: rotate 90° clockwise to show
    exif[ExifTags.Base.Make] = "SnoopPhone"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "S",
        ExifTags.GPS.GPSLatitude: (33.0, 55.0, 30.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (18.0, 25.0, 12.0),
        ExifTags.GPS.GPSMapDatum: "WGS-84",
    }
    return exif


def forged_png(width: int, height: int) -> bytes:
    """A real 8×8 PNG whose header claims another size (IHDR patched, CRC fixed)."""
    data = bytearray(encode(Image.new("L", (8, 8)), "PNG"))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def swapped_primaries_profile() -> bytes:
    """A minimal ICC v2 RGB profile whose red and blue primaries trade places."""

    def s15(*values: float) -> bytes:
        return b"".join(struct.pack(">i", round(v * 65536)) for v in values)

    def xyz(*values: float) -> bytes:
        return b"XYZ \0\0\0\0" + s15(*values)

    d50, linear = (0.9642, 1.0, 0.8249), b"curv" + b"\0" * 8
    tags = [
        (b"wtpt", xyz(*d50)),
        (b"rXYZ", xyz(0.1431, 0.0606, 0.7141)),  # sRGB's blue
        (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", xyz(0.4361, 0.2225, 0.0139)),  # sRGB's red
        (b"rTRC", linear),
        (b"gTRC", linear),
        (b"bTRC", linear),
    ]
    start, table, body = 128 + 4 + 12 * len(tags), b"", b""
    for signature, data in tags:
        table += signature + struct.pack(">II", start + len(body), len(data))
        body += data
    header = (
        struct.pack(">I", start + len(body))
        + b"\0" * 4
        + bytes([2, 0x10, 0, 0])
        + b"mntrRGB XYZ "
        + b"\0" * 12
        + b"acsp"
        + b"\0" * 28
        + s15(*d50)
        + b"\0" * 48
    )
    return header + struct.pack(">I", len(tags)) + table + body


def test_phone_photo_comes_out_upright_without_exif_or_location():
    data = encode(
        red_top_blue_bottom(400, 300),
        "JPEG",
        exif=phone_exif(),
        comment=b"outside my house",
        xmp=b"<x:xmpmeta>home address</x:xmpmeta>",
    )
    assert reopen(data).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the input really has GPS
    assert b"SnoopPhone" in data and b"WGS-84" in data

    result = prepare(data)

    assert (result.width, result.height) == (300, 400)
    assert (result.thumb_width, result.thumb_height) == (240, 320)
    for produced in (result.content, result.thumbnail):
        img = reopen(produced)
        assert not img.getexif()
        assert not {"exif", "xmp", "comment", "icc_profile"} & img.info.keys()
        for secret in (b"Exif", b"GPS", b"WGS-84", b"SnoopPhone", b"my house", b"home address"):
            assert secret not in produced
    # The stored top (red) is the displayed right-hand side once turned upright.
    img = reopen(result.content).convert("RGB")
    right, left = img.getpixel((290, 200)), img.getpixel((10, 200))
    assert right[0] > 150 > right[2]
    assert left[2] > 150 > left[0]


def test_jpeg_stays_jpeg_with_all_fields_filled_in():
    data = encode(red_top_blue_bottom(640, 480), "JPEG", quality=95)

    result = prepare(data)

    assert isinstance(result, PreparedImage)
    assert (result.content_type, result.extension, result.original_type) == (
        "image/jpeg",
        "jpg",
        "image/jpeg",
    )
    assert (result.width, result.height) == (640, 480)
    assert (result.thumb_width, result.thumb_height) == (320, 240)
    assert reopen(result.content).format == "JPEG"
    assert reopen(result.content).info.get("progressive") == 1
    assert reopen(result.thumbnail).format == "JPEG"
    assert reopen(result.thumbnail).size == (320, 240)
    assert result.sha256 == hashlib.sha256(result.content).hexdigest()
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.width = 1  # type: ignore[misc]


def test_multi_picture_jpeg_from_a_phone_is_a_jpeg_and_keeps_only_the_photo():
    # Phones append HDR gain maps or depth maps as extra JPEGs; Pillow calls that "MPO".
    photo, extra = red_top_blue_bottom(300, 200), Image.new("L", (150, 100), 128)
    data = encode(photo, "MPO", save_all=True, append_images=[extra])

    result = prepare(data)

    out = reopen(result.content)
    assert (result.content_type, result.original_type, out.format) == (
        "image/jpeg",
        "image/jpeg",
        "JPEG",
    )
    assert out.size == (300, 200) and not getattr(out, "n_frames", 1) > 1


def test_same_photo_gives_the_same_sha256():
    data = encode(red_top_blue_bottom(300, 200), "PNG")

    first, second = prepare(data), prepare(data)

    assert first.sha256 == second.sha256
    assert first.content == second.content
    assert first.sha256 != prepare(encode(red_top_blue_bottom(300, 201), "PNG")).sha256


def test_png_with_transparency_stays_png_with_alpha_and_thumbnail_is_on_white():
    img = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    img.paste((0, 128, 0, 255), (100, 0, 200, 100))

    result = prepare(encode(img, "PNG"))

    out = reopen(result.content)
    assert (result.content_type, result.extension, out.format, out.mode) == (
        "image/png",
        "png",
        "PNG",
        "RGBA",
    )
    assert out.getpixel((10, 50))[3] == 0
    assert out.getpixel((190, 50)) == (0, 128, 0, 255)
    thumb = reopen(result.thumbnail)
    assert thumb.format == "JPEG" and thumb.mode == "RGB"
    assert min(thumb.getpixel((5, 50))) > 240  # transparent area laid on white


def test_palette_png_with_a_transparent_colour_keeps_its_transparency():
    img = Image.new("P", (64, 64), 0)
    img.putpalette([255, 255, 255, 200, 0, 0] + [0] * 762)
    img.paste(1, (32, 0, 64, 64))

    out = reopen(prepare(encode(img, "PNG", transparency=0)).content)

    assert (out.format, out.mode) == ("PNG", "RGBA")
    assert out.getpixel((5, 5))[3] == 0
    assert out.getpixel((60, 5)) == (200, 0, 0, 255)


def test_opaque_png_is_stored_as_jpeg():
    result = prepare(encode(red_top_blue_bottom(300, 200), "PNG"))

    assert result.original_type == "image/png"
    assert (result.content_type, result.extension) == ("image/jpeg", "jpg")
    assert reopen(result.content).format == "JPEG"


def test_webp_is_accepted_stays_webp_and_loses_its_exif():
    data = encode(red_top_blue_bottom(300, 200), "WEBP", exif=phone_exif())
    assert b"SnoopPhone" in data

    result = prepare(data)

    out = reopen(result.content)
    assert (result.content_type, result.extension, result.original_type) == (
        "image/webp",
        "webp",
        "image/webp",
    )
    assert out.format == "WEBP"
    assert (result.width, result.height) == (200, 300)  # turned upright
    assert not out.getexif()
    assert b"SnoopPhone" not in result.content and b"EXIF" not in result.content


def test_webp_with_alpha_keeps_it():
    img = Image.new("RGBA", (100, 100), (0, 0, 255, 0))
    img.paste((0, 0, 255, 255), (50, 0, 100, 100))

    out = reopen(prepare(encode(img, "WEBP", lossless=True)).content)

    assert (out.format, out.mode) == ("WEBP", "RGBA")
    assert out.getpixel((10, 10))[3] == 0


def test_big_photo_is_downscaled_to_max_side_and_thumbnail_to_thumb_side():
    data = encode(red_top_blue_bottom(4000, 2000), "JPEG")

    result = prepare(data)

    assert (result.width, result.height) == (2048, 1024)
    assert reopen(result.content).size == (2048, 1024)
    assert (result.thumb_width, result.thumb_height) == (320, 160)
    assert reopen(result.thumbnail).size == (320, 160)


def test_custom_sides_are_respected_and_small_photos_are_not_enlarged():
    small = prepare(encode(red_top_blue_bottom(120, 90), "JPEG"))
    custom = prepare(encode(red_top_blue_bottom(1000, 500), "PNG"), max_side=500, thumb_side=50)

    assert (small.width, small.height, small.thumb_width, small.thumb_height) == (120, 90, 120, 90)
    assert (custom.width, custom.height, custom.thumb_width, custom.thumb_height) == (
        500,
        250,
        50,
        25,
    )


def test_cmyk_jpeg_becomes_rgb():
    out = reopen(prepare(encode(Image.new("CMYK", (50, 50), (0, 255, 255, 0)), "JPEG")).content)

    assert out.mode == "RGB"
    red, green, blue = out.getpixel((25, 25))
    assert red > 200 and green < 60 and blue < 60


def test_colour_profile_is_baked_into_srgb_pixels_and_dropped():
    # Under this profile the stored "red" pixels are really blue: so must the output be.
    data = encode(Image.new("RGB", (100, 100), RED), "PNG", icc_profile=swapped_primaries_profile())

    out = reopen(prepare(data).content)

    assert "icc_profile" not in out.info
    red, _, blue = out.convert("RGB").getpixel((50, 50))
    assert blue > 200 > 100 > red


def test_unreadable_colour_profile_is_dropped_and_the_photo_kept():
    img = Image.new("RGBA", (100, 100), (*RED, 255))
    data = encode(img, "PNG", icc_profile=b"not a profile" * 20)
    assert reopen(data).info.get("icc_profile")

    out = reopen(prepare(data).content)

    assert out.format == "PNG"
    assert "icc_profile" not in out.info
    assert out.getpixel((50, 50)) == (*RED, 255)


def test_black_and_white_stripes_shrink_to_grey_not_to_one_of_them():
    # Palette and 1-bit images are converted before resizing: Pillow resizes them NEAREST.
    img = Image.new("1", (400, 400), 0)
    for x in range(0, 400, 2):
        img.paste(1, (x, 0, x + 1, 400))

    out = reopen(prepare(encode(img, "PNG"), max_side=200).content)

    assert out.size == (200, 200)
    assert 90 < out.getpixel((100, 100)) < 165


def test_sixteen_bit_greyscale_png_is_scaled_not_clipped_to_white():
    out = reopen(prepare(encode(Image.new("I;16", (40, 40), 32768), "PNG")).content)

    assert out.mode == "L"
    assert 110 < out.getpixel((20, 20)) < 146


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(encode(Image.new("RGB", (20, 20), RED), "GIF"), id="gif"),
        pytest.param(
            b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
            id="html-named-photo.jpg",
        ),
        pytest.param(b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', id="svg"),
        pytest.param(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", id="pdf"),
        pytest.param(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", id="heic"),
        pytest.param(encode(Image.new("RGB", (20, 20), RED), "BMP"), id="bmp"),
        pytest.param(encode(Image.new("RGB", (20, 20), RED), "TIFF"), id="tiff"),
        pytest.param(b"Pothole on Main Road", id="text"),
        pytest.param(b"", id="empty"),
    ],
)
def test_anything_but_jpeg_png_or_webp_is_refused_politely(data):
    error = refused(data)

    assert (error.code, error.status) == ("unsupported_image", 415)
    assert "JPEG, PNG or WebP" in error.message


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(encode(red_top_blue_bottom(400, 300), "JPEG")[:600], id="truncated-jpeg"),
        pytest.param(b"\xff\xd8\xff\xe0" + b"\x00garbage" * 200, id="jpeg-magic-then-garbage"),
        pytest.param(b"\xff\xd8\xff", id="jpeg-magic-only"),
        pytest.param(encode(red_top_blue_bottom(400, 300), "PNG")[:200], id="truncated-png"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, id="png-magic-then-zeros"),
        pytest.param(b"RIFF\x00\x01\x00\x00WEBPVP8 " + b"\x00" * 100, id="webp-magic-then-zeros"),
        pytest.param(b"\xff\xd8\xff" + encode(Image.new("RGB", (8, 8)), "PNG"), id="png-as-jpeg"),
    ],
)
def test_broken_files_behind_a_valid_magic_number_are_refused_not_crashed_on(data):
    error = refused(data)

    assert (error.code, error.status) == ("unsupported_image", 415)


def test_oversize_upload_is_refused_before_decoding():
    # Garbage behind a JPEG magic number: decoding it would answer 415, not 413.
    data = b"\xff\xd8\xff" + b"\x00" * (2 * MB)

    error = refused(data, max_bytes=2 * MB)

    assert (error.code, error.status) == ("image_too_large", 413)
    assert "2 MB" in error.message
    assert error.extra == {"limit_bytes": 2 * MB}


def test_photo_exactly_at_the_byte_limit_is_accepted():
    data = encode(red_top_blue_bottom(50, 50), "PNG")

    assert prepare(data, max_bytes=len(data)).width == 50


def test_decompression_bomb_is_refused():
    # 81 megapixels of 1-bit white compress to a few kilobytes.
    data = encode(Image.new("1", (9000, 9000), 1), "PNG")
    assert len(data) < 100_000

    error = refused(data, max_pixels=10_000_000)

    assert (error.code, error.status) == ("image_too_large", 413)
    assert "10 megapixels" in error.message


def test_pixel_limit_is_checked_from_the_header_before_decoding():
    # 36 megapixels claimed, 64 delivered: decoding would fail as a broken file (415).
    error = refused(forged_png(6000, 6000), max_pixels=10_000_000)

    assert (error.code, error.status) == ("image_too_large", 413)


def test_pillows_own_bomb_error_is_answered_as_too_large():
    # Above twice Pillow's global limit, Image.open itself raises DecompressionBombError.
    error = refused(forged_png(20000, 20000), max_pixels=10**12)

    assert (error.code, error.status) == ("image_too_large", 413)


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
def test_pillows_bomb_warning_raised_as_an_error_is_answered_as_too_large():
    error = refused(forged_png(10000, 10000), max_pixels=10**12)

    assert (error.code, error.status) == ("image_too_large", 413)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\xff\xd8\xff\xdb", "JPEG"),
        (b"\x89PNG\r\n\x1a\n\x00", "PNG"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8L", "WEBP"),
        (b"RIFF\x10\x00\x00\x00WAVEfmt ", None),
        (b"GIF89a", None),
        (b"\xff\xd8", None),
        (b"", None),
    ],
)
def test_type_is_sniffed_from_the_magic_number(data, kind):
    assert image_sniff(data) == kind
