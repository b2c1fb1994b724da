"""Recognise the image formats citizens may upload by their magic bytes."""

from __future__ import annotations

from dataclasses import dataclass


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

# Enough bytes to tell every allowed format apart.
SNIFF_LENGTH = 12


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
