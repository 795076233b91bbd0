"""Files to upload as photos: real images made with Pillow, and what only pretends to be one."""

import io
import os
import struct
import zlib
from functools import cache

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

GPS_IFD = 0x8825
ORIENTATION = 0x0112
# Upright, the picture is taller than wide; stored, it lies on its side with orientation 6
# ("turn 90° clockwise to show"), as phone cameras write them.
SIDEWAYS = (400, 300)


def _bytes(image: Image.Image, kind: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=kind, **options)
    return buffer.getvalue()


def picture(size=(800, 600), mode="RGB") -> Image.Image:
    """Two colours, left and right, so that a rotation shows."""
    image = Image.new(mode, size, "navy")
    image.paste("orange", (0, 0, size[0] // 2, size[1]))
    return image


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def gps_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x0131] = "SecretPhone 1.0"  # Software
    if orientation:
        exif[ORIENTATION] = orientation
    # 55°45'N 37°37'E, the kind of thing nobody means to publish with a teapot.
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (55.0, 45.0, 0.0), 3: "E", 4: (37.0, 37.0, 0.0)})
    return exif


def jpeg(size=(800, 600), **options) -> bytes:
    return _bytes(picture(size), "JPEG", **options)


def noisy_jpeg(size=(1000, 1000)) -> bytes:
    """Noise does not compress: a large file from a modest image."""
    noise = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    return _bytes(noise, "JPEG", quality=100)


def jpeg_with_gps_sideways() -> bytes:
    """A camera's JPEG: EXIF with GPS, stored sideways with an orientation tag."""
    return _bytes(picture(SIDEWAYS), "JPEG", exif=gps_exif(orientation=6), quality=90)


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Alice Secret")
    info.add_text("Comment", "taken at home, 12 Hidden Street")
    return _bytes(picture(mode="RGBA"), "PNG", pnginfo=info, exif=gps_exif())


def webp_with_exif() -> bytes:
    return _bytes(picture(), "WEBP", exif=gps_exif(), quality=80)


def gif() -> bytes:
    return _bytes(picture().convert("P"), "GIF")


def truncated_jpeg() -> bytes:
    whole = jpeg((1200, 900), quality=95)
    return whole[: len(whole) // 2]


@cache
def png_of(width: int, height: int) -> bytes:
    """A real PNG of that many pixels: one bit each, so even 20,000 × 20,000 is small."""
    return _bytes(Image.new("1", (width, height)), "PNG", optimize=True)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(side: int = 100_000) -> bytes:
    """A PNG header claiming side × side pixels (10 gigapixels) over a few bytes of data:
    decoding it would take gigabytes of memory."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + _chunk(b"IEND", b"")
    )


HTML_AS_PNG = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG_AS_PNG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script><rect width='10' height='10'/></svg>"
)
