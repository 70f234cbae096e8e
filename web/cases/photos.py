"""Photos and screenshots from reporters: checked by content and re-encoded without metadata.

Re-encoding drops EXIF (GPS position, device make and serial, timestamps) before anyone sees the
picture, so a photo cannot give away where or on whose phone it was taken.

A picture is also made smaller before it is kept: a few megabytes of noise can unpack into tens of
millions of pixels, which kept as a lossless file would cost seconds of CPU, a gigabyte of memory and a
hundred megabytes on disk each. The size in the file's header is checked before anything is decoded,
JPEGs are decoded straight at a reduced scale, and every picture is kept at most MAX_EDGE pixels on its
longer side as a lossy JPEG (or WebP, when it has transparency), under MAX_STORED_BYTES.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from web.i18n import N_

ACCEPTED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
# Refused before decoding: far above any phone camera a pupil carries (a 48 MP sensor saves 12 MP
# photos by default) and above any screen's screenshot.
MAX_PIXELS = 40_000_000
# Enough to read a screenshot's text or see a bruise; staff see pictures no larger than this anyway.
MAX_EDGE = 2048
MAX_STORED_BYTES = 2 * 1024 * 1024
# Tried in turn until the picture fits under MAX_STORED_BYTES (only noise-like pictures need the later ones).
ENCODINGS = ((MAX_EDGE, 85), (MAX_EDGE, 70), (1600, 60), (1024, 50))

NOT_A_PICTURE = N_("This file is not a picture we can take. Please use a photo or screenshot.")
TOO_MANY_BYTES = N_("This picture is too big. Please choose one under 10 MB.")
TOO_MANY_PIXELS = N_(
    "This picture is too large for us to take. Please send a smaller photo, or a screenshot of it."
)


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
    """Check a file is a picture within limits and return it smaller, lossy and without metadata."""
    if len(raw) > max_bytes:
        raise PhotoRejected(TOO_MANY_BYTES)
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            # Image.open reads only the header: nothing is decoded yet.
            if probe.format not in ACCEPTED_FORMATS:
                raise PhotoRejected(NOT_A_PICTURE)
            if probe.width * probe.height > MAX_PIXELS:
                raise PhotoRejected(TOO_MANY_PIXELS)
            probe.verify()
        with Image.open(io.BytesIO(raw)) as image:
            if image.format == "JPEG":
                # libjpeg decodes at 1/2, 1/4 or 1/8 scale directly: a fraction of the time and memory.
                image.draft("RGB", (MAX_EDGE, MAX_EDGE))
            image.load()
            # Keep what the camera meant by its orientation tag, then drop the tag with the rest.
            upright = ImageOps.exif_transpose(image) or image
            transparent = _has_transparency(upright)
            mode = "RGBA" if transparent else "RGB"
            # Made small at once, so that the full-size picture is the only large copy ever held.
            return _reencode(_fit(upright if upright.mode == mode else upright.convert(mode), MAX_EDGE))
    except PhotoRejected:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise PhotoRejected(NOT_A_PICTURE) from error


def _has_transparency(image: Image.Image) -> bool:
    if image.mode == "P":
        return "transparency" in image.info
    if image.mode in ("RGBA", "LA", "PA"):
        # A channel that is fully opaque everywhere (many screenshots) is no transparency at all.
        return image.getchannel("A").getextrema() != (255, 255)
    return False


def _fit(image: Image.Image, edge: int) -> Image.Image:
    scale = edge / max(image.width, image.height)
    if scale >= 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _reencode(image: Image.Image) -> CleanPhoto:
    # Lossy WebP keeps an alpha channel (a sticker, a cropped screenshot); everything else is a JPEG.
    transparent = image.mode == "RGBA"
    for edge, quality in ENCODINGS:
        smaller = _fit(image, edge)
        # Pillow's savers reuse what the decoder found (a comment, EXIF, an ICC profile, XMP, dpi):
        # a JPEG or GIF comment would reach staff untouched. The kept picture carries no info at all.
        smaller.info = {}
        out = io.BytesIO()
        if transparent:
            smaller.save(out, format="WEBP", quality=quality, method=4)
        else:
            smaller.save(out, format="JPEG", quality=quality, optimize=True)
        if out.tell() <= MAX_STORED_BYTES:
            return CleanPhoto(
                content_type="image/webp" if transparent else "image/jpeg",
                width=smaller.width,
                height=smaller.height,
                data=out.getvalue(),
            )
    raise PhotoRejected(TOO_MANY_PIXELS)
