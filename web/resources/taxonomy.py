"""The needs the directory is grouped by; each is an HSDS taxonomy term with a stable code."""

from __future__ import annotations

from dataclasses import dataclass

from web.i18n import N_


@dataclass(frozen=True)
class Need:
    code: str
    label: str
    icon: str  # a file in static/icons/needs/, decorative


NEEDS: tuple[Need, ...] = (
    Need("food", N_("Food"), "food"),
    Need("housing", N_("Housing and shelter"), "housing"),
    Need("transportation", N_("Transportation"), "transportation"),
    Need("clothing", N_("Clothing"), "clothing"),
    Need("medical", N_("Medical care"), "medical"),
    Need("mental_health", N_("Mental health"), "mental_health"),
    Need("substance_use", N_("Alcohol and drugs"), "substance_use"),
    Need("home_abuse", N_("Abuse and violence at home"), "home_abuse"),
    Need("dating_sexual_violence", N_("Dating and sexual violence"), "dating_sexual_violence"),
    Need("lgbtq", N_("LGBTQ+ support"), "lgbtq"),
    Need("grief", N_("Grief and loss"), "grief"),
    Need("legal_immigration", N_("Legal and immigration help"), "legal_immigration"),
    Need("school_needs", N_("School needs"), "school_needs"),
)
NEED_BY_CODE: dict[str, Need] = {need.code: need for need in NEEDS}
TAXONOMY_NAME = "Lantern needs"
