from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image

from tests.push_service import PushService
from web import limits
from web.app import create_app
from web.cases.tables import Attachment, Message, PendingUpload, Report
from web.page_cache import forget_public_pages


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def app() -> Litestar:
    return create_app()


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=app) as client:
        from web.demo.seed import seed_demo

        await seed_demo()
        # Every test starts with no try counted against any limit (PostgreSQL and Redis keep them).
        await limits.forget_all()
        # Tests change the district straight in the database; no page rendered before is kept.
        forget_public_pages()
        yield client
    await Attachment.delete(force=True)
    await Message.delete(force=True)
    await Report.delete(force=True)
    await PendingUpload.delete(force=True)


@pytest.fixture
def push() -> Iterator[PushService]:
    """A local push service that decrypts what it receives (tests/push_service.py)."""
    service = PushService().start()
    yield service
    service.stop()


def png_bytes(width: int = 40, height: int = 30, *, gps: bool = False, noise: bool = False) -> bytes:
    """A real PNG (of noise, which hardly compresses, with noise=True); with gps=True, a JPEG carrying
    EXIF GPS and camera tags to be stripped."""
    image = Image.new("RGB", (width, height), (200, 40, 40))
    if noise:
        image = Image.merge("RGB", [Image.effect_noise((width, height), 120) for _ in range(3)])
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x0110] = "Model X"  # Model
        exif[0xA431] = "SERIAL-12345"  # BodySerialNumber
        gps_ifd = {1: "N", 2: (39.0, 6.0, 0.0), 3: "W", 4: (94.0, 37.0, 0.0)}
        exif[0x8825] = gps_ifd
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="PNG")
    return out.getvalue()


def report_fields(**overrides: str) -> dict[str, str]:
    fields = {
        "category": "bullying",
        "danger_now": "no",
        "place": "lincoln-hs",
        "description": "Someone keeps pushing a kid at the lockers.",
        "idempotency_key": overrides.pop("idempotency_key", "") or __import__("secrets").token_urlsafe(16),
    }
    fields.update(overrides)
    return fields
