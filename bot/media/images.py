"""Images citizens and staff send: recognised by their magic bytes, then cleaned.

`clean_image` decodes the picture and encodes it again without its metadata: EXIF (GPS
position, camera owner, serial numbers), XMP and comments never reach our disk. The
orientation EXIF carried is applied to the pixels first, so the photo still stands upright.
Decoding also proves the file is a real image, and pictures of absurd size are refused
before their pixels are decoded.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps


@dataclass(frozen=True)
class ImageType:
    extension: str
    content_type: str


JPEG = ImageType("jpg", "image/jpeg")
PNG = ImageType("png", "image/png")
WEBP = ImageType("webp", "image/webp")
GIF = ImageType("gif", "image/gif")

ALLOWED_TYPES = (JPEG, PNG, WEBP, GIF)
TYPES_BY_EXTENSION = {image_type.extension: image_type for image_type in ALLOWED_TYPES}

MAX_PIXELS = 50_000_000  # a 12-megapixel phone photo is far below; decompression bombs are far above
JPEG_QUALITY = 88


def sniff_image_type(head: bytes) -> ImageType | None:
    """Return the image type whose signature starts ``head``, if any."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    return None


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    image_type: ImageType


def _encode(image: Image.Image, image_type: ImageType, animated: bool) -> bytes:
    out = io.BytesIO()
    icc = image.info.get("icc_profile")  # colours, not personal data
    if image_type is JPEG:
        image = ImageOps.exif_transpose(image)
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=JPEG_QUALITY, icc_profile=icc)
    elif image_type is PNG:
        ImageOps.exif_transpose(image).save(out, "PNG", icc_profile=icc)
    elif image_type is WEBP:
        image.save(out, "WEBP", quality=JPEG_QUALITY, save_all=animated, icc_profile=icc)
    else:
        image.save(out, "GIF", save_all=animated, comment=b"")
    return out.getvalue()


def clean_image(data: bytes) -> CleanImage | None:
    """The image re-encoded without metadata, or None when it is not an image we accept.
    CPU-bound (tens of milliseconds for a phone photo): call it off the event loop."""
    image_type = sniff_image_type(data[:16])
    if image_type is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    return None
                image.load()
                animated = bool(getattr(image, "is_animated", False))
                return CleanImage(_encode(image, image_type, animated), image_type)
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
