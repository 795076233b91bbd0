"""What an uploaded photo really is: decoded with Pillow, refused unless it is a whole JPEG,
PNG or WebP of a sane size, and stored re-encoded, so no metadata (EXIF, GPS, XMP, comments)
and nothing but the pixels of what was sent is ever served.
"""

import io
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow's format name -> the extension stored and what it is re-encoded with.
FORMATS: dict[str, tuple[str, dict]] = {
    "JPEG": ("jpg", {"quality": 88, "optimize": True, "progressive": True}),
    "PNG": ("png", {"optimize": True}),
    "WEBP": ("webp", {"quality": 88, "method": 4}),
}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
# Beyond any camera's photo, and within what the server decodes without strain (an image
# of this many pixels takes about 200 MB while it is re-encoded).
MAX_SIDE = 8000
MAX_PIXELS = 50_000_000


@dataclass(frozen=True)
class CleanImage:
    content: ContentFile
    extension: str
    width: int
    height: int


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError({"image": message}, code=code)


def _not_an_image() -> ValidationError:
    return _refuse(_("Upload a JPEG, PNG or WebP photo."), "invalid_image")


def _too_many_pixels() -> ValidationError:
    message = _(
        "This image is too large: at most %(side)s pixels a side and %(megapixels)s megapixels."
    ) % {
        "side": number_format(MAX_SIDE, force_grouping=True),
        "megapixels": MAX_PIXELS // 1_000_000,
    }
    return _refuse(message, "too_many_pixels")


def clean_image(file: IO[bytes]) -> CleanImage:
    """The upload decoded and re-encoded without its metadata, or ValidationError on `image`."""
    size = getattr(file, "size", None)
    if size is None:
        size = file.seek(0, io.SEEK_END)
    if size > settings.PHOTO_MAX_BYTES:
        raise _refuse(
            _("The photo is too large: at most %(size)s.")
            % {"size": filesizeformat(settings.PHOTO_MAX_BYTES)},
            "file_too_large",
        )
    if size == 0:
        raise _refuse(_("The file is empty."), "empty")
    with warnings.catch_warnings():
        # Pillow warns of a decompression bomb below twice its limit, and raises above it.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            file.seek(0)
            with Image.open(file) as probe:
                kind, (width, height) = probe.format, probe.size
                if kind not in FORMATS:
                    raise _not_an_image()
                # Refused on the header alone, before a single pixel is decoded.
                if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
                    raise _too_many_pixels()
                probe.verify()
            file.seek(0)
            with Image.open(file) as image:
                image.load()  # a truncated or damaged file fails here
                clean = _without_metadata(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except ValidationError:
            raise
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            # Not an image (HTML, SVG, text...), or one cut short or damaged on the way.
            raise _refuse(
                _("This file is not a complete JPEG, PNG or WebP image."), "invalid_image"
            ) from None
    extension, options = FORMATS[kind]
    if icc := clean.info.get("icc_profile"):
        options = {**options, "icc_profile": icc}
    buffer = io.BytesIO()
    clean.save(buffer, format=kind, **options)
    return CleanImage(
        content=ContentFile(buffer.getvalue(), name=f"photo.{extension}"),
        extension=extension,
        width=clean.width,
        height=clean.height,
    )


def _without_metadata(image: Image.Image) -> Image.Image:
    """The pixels turned upright (the EXIF orientation applied), with nothing else."""
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)  # an animation: its first frame
    upright = ImageOps.exif_transpose(image)
    if image.format == "JPEG":
        mode = "RGB" if upright.mode not in {"L", "RGB"} else upright.mode
    else:
        mode = "RGBA" if upright.mode not in {"L", "LA", "RGB", "RGBA"} else upright.mode
    # A new image holds the pixels only: no EXIF, XMP, text chunks or comments to copy.
    clean = Image.new(mode, upright.size)
    clean.paste(upright.convert(mode))
    if icc := image.info.get("icc_profile"):
        clean.info["icc_profile"] = icc  # colours, not metadata about anybody
    return clean
