"""Photos and screenshots from reporters: checked by content and re-encoded without metadata.

Re-encoding drops EXIF (GPS position, device make and serial, timestamps) before anyone sees the
picture, so a photo cannot give away where or on whose phone it was taken.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from web.i18n import N_

ACCEPTED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
# A decompression bomb guard: no real screenshot or photo is larger than this.
MAX_PIXELS = 50_000_000


class PhotoRejected(ValueError):
    """The file cannot be used; `message` is a kind, translatable reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CleanPhoto:
    content_type: str
    width: int
    height: int
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


def clean_photo(raw: bytes, max_bytes: int) -> CleanPhoto:
    """Check a file is a picture within limits and return it re-encoded without metadata."""
    if len(raw) > max_bytes:
        raise PhotoRejected(N_("This picture is too big. Please choose one under 10 MB."))
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise PhotoRejected(
                    N_("This file is not a picture we can take. Please use a photo or screenshot.")
                )
            if probe.width * probe.height > MAX_PIXELS:
                raise PhotoRejected(N_("This picture is too big. Please choose one under 10 MB."))
            probe.verify()
        with Image.open(io.BytesIO(raw)) as image:
            image.load()
            # Keep what the camera meant by its orientation tag, then drop the tag with the rest.
            upright = ImageOps.exif_transpose(image) or image
            return _reencode(upright, image.format or "PNG")
    except PhotoRejected:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise PhotoRejected(
            N_("This file is not a picture we can take. Please use a photo or screenshot.")
        ) from error


def _reencode(image: Image.Image, source_format: str) -> CleanPhoto:
    out = io.BytesIO()
    if source_format == "JPEG":
        image.convert("RGB").save(out, format="JPEG", quality=88, optimize=True)
        content_type = "image/jpeg"
    else:
        # PNG keeps screenshots sharp and keeps transparency; GIF and WebP become a still PNG.
        mode = "RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB"
        image.convert(mode).save(out, format="PNG", optimize=True)
        content_type = "image/png"
    return CleanPhoto(content_type=content_type, width=image.width, height=image.height, data=out.getvalue())
