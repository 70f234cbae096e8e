"""Reading what people send: form fields as typed, and photos checked off the event loop."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import anyio
from litestar import Request
from litestar.datastructures import UploadFile
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_400_BAD_REQUEST

from web import limits
from web.cases.photos import CleanPhoto, PhotoRejected, clean_photo
from web.i18n import N_
from web.per_loop import PerLoop
from web.settings import load_settings

# Decoding a large picture takes hundreds of megabytes for a moment: a few at a time per process keep
# a burst of uploads from running the server out of memory (the others wait their turn).
_decoding = PerLoop(lambda: anyio.CapacityLimiter(2))

TOO_MANY_PHOTO_BYTES = N_(
    "Many pictures were sent from this network just now. Please wait a few minutes, then add yours again."
)


class UnreadableForm(HTTPException):
    """A text part that is not the UTF-8 every page sends (or names a charset we cannot read)."""

    status_code = HTTP_400_BAD_REQUEST
    detail = "The form could not be read"


@dataclass
class PhotoBatch:
    photos: list[CleanPhoto] = field(default_factory=list)
    error: str | None = None


async def read_form(request: Request, file_field: str = "photos") -> tuple[dict[str, Any], list[UploadFile]]:
    """Fields (repeated names as lists) and the uploaded files that carry something."""
    try:
        form = await request.form()
    except (UnicodeDecodeError, LookupError) as error:
        raise UnreadableForm() from error
    data: dict[str, Any] = {}
    for key in form:
        # A NUL byte is never meaningful in text, and PostgreSQL refuses it (web/nul_bytes.py).
        values = [v.replace("\x00", "") for v in form.getall(key) if not isinstance(v, UploadFile)]
        if values:
            data[key] = values if len(values) > 1 or key == "upload_token" else values[0]
    files = form.getall(file_field) if file_field in form else []
    uploads = [v for v in files if isinstance(v, UploadFile) and v.filename]
    return data, uploads


async def read_photos(request: Request, uploads: list[UploadFile], already_held: int = 0) -> PhotoBatch:
    """Every picture that can be used; a kind message for the first that cannot."""
    settings = load_settings()
    batch = PhotoBatch()
    address = limits.client_address(request)
    for upload in uploads:
        raw = await upload.read()
        if not raw:
            continue
        if len(batch.photos) + already_held >= settings.max_photos:
            batch.error = N_("You can add up to 6 pictures.")
            break
        if not await limits.photo_bytes_allowed(address, len(raw)):
            batch.error = TOO_MANY_PHOTO_BYTES
            break
        try:
            batch.photos.append(
                await anyio.to_thread.run_sync(
                    clean_photo, raw, settings.max_photo_bytes, limiter=_decoding.get()
                )
            )
        except PhotoRejected as rejected:
            batch.error = rejected.message
    return batch
