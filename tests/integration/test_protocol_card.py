"""Life-safety cases show the district's protocol card; its numbers are settings in the console."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.conftest import report_fields
from tests.integration.moments_support import POLICE, clean, latest, position  # noqa: F401 (fixtures)
from tests.integration.staff_support import DISTRICT, LINCOLN_RESPONDER, csrf_from, sign_in
from web.district.tables import District, School

pytestmark = pytest.mark.anyio


async def test_a_life_safety_case_shows_the_protocol_card(client: AsyncTestClient) -> None:
    token = await sign_in(client, DISTRICT)
    page = (await client.get("/staff/admin/district")).text
    form = {"_csrf_token": csrf_from(page), "name": "Prairie River Public Schools (demo)",
            "short_name": "Prairie River Schools", "brand_color": "#1d4e89", "emergency_number": "911",
            "crisis_text_number": "741741", "crisis_text_keyword": "HOME", "lifeline_number": "988",
            "timezone": "America/Chicago", "categories": ["weapon", "bullying", "self_harm"],
            "police_non_emergency_number": "call them", "life_safety_protocol": "1. Call 911.\n2. Call the principal."}  # fmt: skip
    bad = await client.post("/staff/admin/district", data=form)
    assert bad.status_code == 422 and 'value="call them"' in bad.text
    form["police_non_emergency_number"] = POLICE
    assert (await client.post("/staff/admin/district", data=form)).status_code == 200
    officer = {"_csrf_token": token, "timezone": "America/Chicago", "resource_officer_name": "Officer Diaz",
               "resource_officer_phone": "not a number"}  # fmt: skip
    bad_school = await client.post("/staff/admin/schools/lincoln-hs", data=officer)
    assert bad_school.status_code == 422 and 'value="not a number"' in bad_school.text
    officer["resource_officer_phone"] = "816-555-0199"
    assert (await client.post("/staff/admin/schools/lincoln-hs", data=officer)).status_code == 200
    try:
        client.cookies.clear()
        await client.post("/report", data=report_fields(category="weapon"))
        urgent = await latest()
        await client.post("/report", data=report_fields(category="bullying"))
        calm = await latest()
        await sign_in(client, LINCOLN_RESPONDER)
        case = (await client.get(f"/staff/cases/{urgent.public_id}")).text
        card = case[position(case, 'data-testid="protocol-card"') :]
        assert position(case, 'data-testid="protocol-card"') < position(case, 'data-testid="acknowledge"')
        assert "1. Call 911.\n2. Call the principal." in card and f'href="tel:{POLICE}"' in card
        assert "Officer Diaz" in card and 'href="tel:816-555-0199"' in card
        assert 'data-testid="protocol-card"' not in (await client.get(f"/staff/cases/{calm.public_id}")).text
    finally:
        await District.update({District.enabled_categories: []}, force=True)
        await School.update(
            {School.hours: {d: ["07:30", "16:00"] for d in ("mon", "tue", "wed", "thu", "fri")}}
        ).where(School.slug == "lincoln-hs")
