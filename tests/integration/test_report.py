"""Path 3: reports are stored durably once, receipts only as hashes, and bad input loses nothing."""

from __future__ import annotations

import io
import re

import pytest
from litestar.testing import AsyncTestClient
from piccolo.table import Table
from PIL import Image

from tests.integration.conftest import png_bytes, report_fields
from web.cases import receipts, sealing
from web.cases.tables import Attachment, Message, PendingUpload, Report
from web.settings import load_settings

pytestmark = pytest.mark.anyio


def all_tables() -> list[type[Table]]:
    from piccolo.conf.apps import Finder

    return Finder().get_table_classes()


async def everything_stored() -> str:
    """Every value in every table, as text, on whichever engine the suite runs on."""
    parts = []
    for table in all_tables():
        for row in await table.select():
            parts.append(" ".join(str(value) for value in row.values()))
    return "\n".join(parts)


def receipt_code(html: str) -> str:
    match = re.search(r'data-code="(\d{16})"', html)
    assert match, "no receipt code on the page"
    return match.group(1)


async def test_anonymous_report_gives_a_code_stored_only_as_a_hash(client: AsyncTestClient) -> None:
    response = await client.post("/report", data=report_fields())
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    code = receipt_code(response.text)
    assert receipts.group(code) in response.text  # shown in groups of four
    report = await Report.objects().first()
    assert report is not None
    assert report.receipt_hash == receipts.hash_code(code)
    assert report.source == "student" and report.kind == "concern" and report.status == "new"
    assert report.contact_name is None and report.contact_info is None
    # The code itself appears nowhere in the database.
    assert code not in await everything_stored()
    if not load_settings().uses_postgres:
        raw = load_settings().sqlite_path.read_bytes()
        wal = load_settings().sqlite_path.with_name("lantern.sqlite-wal")
        raw += wal.read_bytes() if wal.exists() else b""
        assert code.encode() not in raw
    # An automatic acknowledgement starts the conversation.
    messages = await Message.objects().where(Message.report == report.id)
    assert [m.author for m in messages] == ["system"]


async def test_no_ip_or_user_agent_is_stored(client: AsyncTestClient) -> None:
    marker_agent = "Mozilla/5.0 FingerprintProbe/1.0"
    await client.post(
        "/report",
        data=report_fields(description="Report was here"),
        headers={"User-Agent": marker_agent, "X-Forwarded-For": "203.0.113.77"},
    )
    code = receipt_code(
        (await client.post("/report", data=report_fields(), headers={"User-Agent": marker_agent})).text
    )
    await client.post("/check", data={"code": code}, headers={"User-Agent": marker_agent})
    await client.post(
        "/check/reply", data={"code": code, "body": "more"}, headers={"User-Agent": marker_agent}
    )
    stored = await everything_stored()
    # What reporters send is encrypted at rest (tests/integration/test_at_rest.py has the details).
    assert "Report was here" not in stored
    for trace in ("FingerprintProbe", "203.0.113.77", "testclient", "127.0.0.1"):
        assert trace not in stored, trace
    columns = {column._meta.db_column_name for table in all_tables() for column in table._meta.columns}
    assert not columns & {"ip", "ip_address", "user_agent", "remote_addr", "client_ip"}


async def test_validation_errors_keep_everything_typed(client: AsyncTestClient) -> None:
    typed = report_fields(
        category="",
        place="event",
        event_name="",
        description="Some words I typed",
        when_text="Friday night",
        where_text="the stadium",
        reporter_role="parent",
    )
    response = await client.post("/community", data=typed)
    assert response.status_code == 422
    html = response.text
    assert 'data-testid="error-summary"' in html
    assert 'data-testid="error-category"' in html and 'data-testid="error-event_name"' in html
    assert ">Some words I typed</textarea>" in html
    assert 'value="Friday night"' in html and 'value="the stadium"' in html
    assert '<option value="event" selected>' in html
    assert '<option value="parent" selected>' in html
    assert f'value="{typed["idempotency_key"]}"' in html
    assert await Report.count() == 0


async def test_photos_survive_a_rejected_form_and_arrive_with_the_report(client: AsyncTestClient) -> None:
    files = [("photos", ("screenshot.png", png_bytes(), "image/png"))]
    response = await client.post("/report", data=report_fields(description=""), files=files)
    assert response.status_code == 422
    assert 'data-testid="held-photos"' in response.text
    tokens = re.findall(r'name="upload_token" value="([^"]+)"', response.text)
    assert len(tokens) == 1
    fixed = report_fields()
    fixed["upload_token"] = tokens[0]  # type: ignore[assignment]
    response = await client.post("/report", data=fixed)
    assert response.status_code == 200
    report = await Report.objects().first()
    assert report is not None
    assert await Attachment.count().where(Attachment.report == report.id) == 1
    assert await PendingUpload.count() == 0


async def test_not_a_picture_is_refused_kindly(client: AsyncTestClient) -> None:
    files = [("photos", ("notes.png", b"%PDF-1.4 not an image", "image/png"))]
    response = await client.post("/report", data=report_fields(), files=files)
    assert response.status_code == 422
    assert "This file is not a picture we can take" in response.text
    assert await Report.count() == 0


async def test_photo_metadata_is_stripped(client: AsyncTestClient) -> None:
    original = png_bytes(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get(0x010F) == "PhoneMaker"
    files = [("photos", ("IMG_0001.jpg", original, "image/jpeg"))]
    assert (await client.post("/report", data=report_fields(), files=files)).status_code == 200
    stored, image = await stored_photo()
    assert not image.getexif()
    assert b"PhoneMaker" not in stored.data and b"SERIAL-12345" not in stored.data


def jpeg_segments(data: bytes) -> list[int]:
    """The marker of every segment before the picture data (0xFE is a comment)."""
    markers, at = [], 2
    while at + 4 <= len(data) and data[at] == 0xFF and data[at + 1] != 0xDA:
        markers.append(data[at + 1])
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    return markers


@pytest.mark.parametrize("fmt", ["JPEG", "GIF"])
async def test_picture_comments_and_other_metadata_are_stripped(client: AsyncTestClient, fmt: str) -> None:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "PhoneMaker", "Model X"
    exif[0x8825] = {1: "N", 2: (39.0, 6.0, 0.0), 3: "W", 4: (94.0, 37.0, 0.0)}
    picture = Image.new("RGB", (40, 30), (200, 40, 40))
    if fmt == "GIF":
        original = encoded(picture, "GIF", comment=b"SECRETCOMMENT")
    else:
        original = encoded(picture, "JPEG", comment=b"SECRETCOMMENT", exif=exif, dpi=(300, 300))
    assert Image.open(io.BytesIO(original)).info["comment"] == b"SECRETCOMMENT"
    files = [("photos", ("picture", original, f"image/{fmt.lower()}"))]
    assert (await client.post("/report", data=report_fields(), files=files)).status_code == 200
    stored, image = await stored_photo()
    assert b"SECRETCOMMENT" not in stored.data and b"PhoneMaker" not in stored.data
    assert 0xFE not in jpeg_segments(stored.data)
    assert not image.getexif() and "comment" not in image.info and "icc_profile" not in image.info


async def stored_photo() -> tuple[Attachment, Image.Image]:
    """The one photo kept, opened as staff would see it."""
    stored = await Attachment.objects().first()
    assert stored is not None
    sealing.open_row(Attachment, stored)
    return stored, Image.open(io.BytesIO(stored.data))


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


async def test_a_picture_with_too_many_pixels_is_refused_before_decoding_and_the_form_kept(
    client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small file that unpacks into 49 million pixels (the attack sent 8 MB of noise at this size).
    hostile = encoded(Image.new("L", (7000, 7000)), "PNG", compress_level=1)
    assert len(hostile) < 1024 * 1024
    decoded: list[tuple[int, int]] = []
    real_load = Image.Image.load

    def load(image: Image.Image):  # type: ignore[no-untyped-def]
        decoded.append(image.size)
        return real_load(image)

    monkeypatch.setattr(Image.Image, "load", load)
    words = "A boy in year 8 keeps taking my lunch, this is the picture."
    files = [("photos", ("big.png", hostile, "image/png"))]
    response = await client.post("/report", data=report_fields(description=words), files=files)
    assert response.status_code == 422
    assert words in response.text
    assert "This picture is too large for us to take." in response.text
    assert (7000, 7000) not in decoded  # nothing that size was ever unpacked
    assert await Report.count() == 0 and await PendingUpload.count() == 0


async def test_a_large_photo_is_kept_small_lossy_and_bounded(client: AsyncTestClient) -> None:
    noisy = Image.merge("RGB", [Image.effect_noise((3600, 2400), 90) for _ in range(3)])
    sent = encoded(noisy, "WEBP", quality=90)
    files = [("photos", ("camera.webp", sent, "image/webp"))]
    assert (await client.post("/report", data=report_fields(), files=files)).status_code == 200
    stored, image = await stored_photo()
    assert stored.content_type == "image/jpeg" and image.format == "JPEG"
    assert image.size == (2048, 1365) and (stored.width, stored.height) == image.size
    assert len(stored.data) <= 2 * 1024 * 1024


async def test_a_transparent_picture_keeps_its_transparency(client: AsyncTestClient) -> None:
    sticker = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    sticker.paste((30, 120, 200, 255), (50, 50, 250, 150))
    files = [("photos", ("sticker.png", encoded(sticker, "PNG"), "image/png"))]
    assert (await client.post("/report", data=report_fields(), files=files)).status_code == 200
    stored, image = await stored_photo()
    assert stored.content_type == "image/webp" and image.format == "WEBP" and image.mode == "RGBA"
    assert image.getpixel((5, 5))[3] == 0 and image.getpixel((150, 100))[3] == 255


async def test_the_same_form_sent_twice_makes_one_report_and_the_last_code_works(
    client: AsyncTestClient,
) -> None:
    fields = report_fields()
    first = await client.post("/report", data=fields)
    second = await client.post("/report", data=fields)
    assert first.status_code == second.status_code == 200
    assert await Report.count() == 1
    assert 'data-testid="repeat-notice"' in second.text
    first_code, second_code = receipt_code(first.text), receipt_code(second.text)
    assert first_code != second_code
    # Whoever sent it twice may have seen only the second answer: that code opens the report.
    assert 'data-testid="case-status"' in (await client.post("/check", data={"code": second_code})).text
    assert (await client.post("/check", data={"code": first_code})).status_code == 422


async def test_line_breaks_count_once_and_odd_keys_are_replaced(client: AsyncTestClient) -> None:
    text = "x\r\n" * 2000  # 4000 characters in the browser's count, 6000 bytes with CRLF
    response = await client.post("/report", data=report_fields(description=text, idempotency_key="short"))
    assert response.status_code == 200
    report = sealing.open_report(await Report.objects().first())
    assert report is not None
    assert "\r" not in report.description
    assert report.idempotency_key != "short" and len(report.idempotency_key) >= 16


@pytest.mark.parametrize(
    ("category", "danger_now", "expected"),
    [
        ("bullying", "no", False),
        ("bullying", "yes", True),
        ("weapon", "no", True),
        ("self_harm", "unsure", True),
    ],
)
async def test_life_safety_marking(
    client: AsyncTestClient, category: str, danger_now: str, expected: bool
) -> None:
    response = await client.post("/report", data=report_fields(category=category, danger_now=danger_now))
    assert response.status_code == 200
    report = await Report.objects().first()
    assert report is not None and report.life_safety is expected
    assert ("Someone is in danger right now: call 911 first." in response.text) is (danger_now == "yes")


async def test_community_report_about_an_event(client: AsyncTestClient) -> None:
    fields = report_fields(
        category="weapon", place="event", event_name="Friday football game", reporter_role="community"
    )
    response = await client.post("/community", data=fields)
    assert response.status_code == 200
    report = sealing.open_report(await Report.objects().first())
    assert report is not None
    assert (report.source, report.place, report.event_name, report.school) == (
        "community",
        "event",
        "Friday football game",
        None,
    )


async def test_shared_contact_is_kept_only_when_chosen(client: AsyncTestClient) -> None:
    await client.post("/report", data=report_fields(contact_name="Ana", contact_info="ana@example.org"))
    report = await Report.objects().first()
    assert report is not None and report.contact_name is None
    response = await client.post("/report", data=report_fields(share_contact="yes"))
    assert response.status_code == 422
    assert "Add your name or a way to reach you" in response.text


async def test_htmx_submit_swaps_the_receipt_into_main(client: AsyncTestClient) -> None:
    response = await client.post("/report", data=report_fields(), headers={"HX-Request": "true"})
    assert response.headers["hx-retarget"] == "#main"
    assert "<html" not in response.text
    receipt_code(response.text)
    bad = await client.post("/report", data=report_fields(description=""), headers={"HX-Request": "true"})
    assert bad.status_code == 422
    assert bad.text.lstrip().startswith('<form id="report-form"')


async def test_every_error_links_to_its_field_and_marks_it_invalid(client: AsyncTestClient) -> None:
    long = "y" * 201
    fields = report_fields(
        category="", danger_now="", place="event", event_name="", description="",
        when_text=long, where_text=long, reporter_role="pirate", share_contact="yes", contact_name=long,
    )  # fmt: skip
    files = [("photos", ("x.png", b"not a picture", "image/png"))]
    html = (await client.post("/report", data=fields, files=files)).text
    summary = html[html.index('data-testid="error-summary"') :]
    summary = summary[: summary.index("</ul>")]
    # Each link lands on the field's first control (not its box, which a sticky header could cover).
    linked = re.findall(r'<a href="#([a-z_-]+)">', summary)
    assert set(linked) >= {"category-bullying", "danger-yes", "event_name", "description", "when_text",
                           "where_text", "reporter_role", "contact_name", "photos"}  # fmt: skip
    for target in linked:
        assert re.search(rf'<(?:input|select|textarea|button)[^>]*id="{target}"', html), target
    for name in ("category", "danger_now", "event_name", "description", "when_text", "where_text",
                 "reporter_role", "contact_name", "photos"):  # fmt: skip
        assert f'id="field-{name}"' in html and f'id="{name}-error"' in html, name
    for control in ("when_text", "where_text", "reporter_role", "contact_name", "photos"):
        tag = re.search(rf'<(?:input|select)[^>]*id="{control}"[^>]*>', html)
        assert tag and 'aria-invalid="true"' in tag.group(0), control


async def test_simultaneous_repeats_store_one_report(client: AsyncTestClient) -> None:
    import anyio

    from web.cases import services as cases

    form = cases.ReportForm.from_data(report_fields())
    results: list[cases.Submitted] = []

    async def send() -> None:
        results.append(await cases.submit_report(form, [], source="student", locale="en"))

    async with anyio.create_task_group() as group:
        for _ in range(5):
            group.start_soon(send)
    assert len(results) == 5
    assert await Report.count() == 1
    assert sum(not r.repeated for r in results) == 1
