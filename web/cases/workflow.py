"""A case's statuses, the moves between them, and what the reporter is told in plain words."""

from __future__ import annotations

from web.i18n import N_

STATUSES: dict[str, str] = {
    "new": N_("New"),
    "acknowledged": N_("Acknowledged"),
    "in_progress": N_("In progress"),
    "waiting": N_("Waiting for reporter"),
    "resolved": N_("Resolved"),
    "closed": N_("Closed"),
}
OPEN_STATUSES = ("new", "acknowledged", "in_progress", "waiting")

# Where a case may go from each status. Resolving needs a disposition; closing needs resolving first.
MOVES: dict[str, tuple[str, ...]] = {
    "new": ("acknowledged", "in_progress", "resolved"),
    "acknowledged": ("in_progress", "waiting", "resolved"),
    "in_progress": ("waiting", "resolved"),
    "waiting": ("in_progress", "resolved"),
    "resolved": ("in_progress", "closed"),
    "closed": ("in_progress",),
}

DISPOSITIONS: dict[str, str] = {
    "resolved": N_("Resolved"),
    "referred_partner": N_("Referred to a community partner"),
    "referred_police": N_("Referred to law enforcement"),
    "unfounded": N_("Unfounded"),
    "prank": N_("Prank"),
    "duplicate": N_("Duplicate"),
}

# The reporter sees three plain states on /check.
REPORTER_WORDS = {
    "received": N_("Received. Your school has your report and will read it soon."),
    "in_review": N_("Being looked at. Someone at school is working on it."),
    "closed": N_("Closed. The school has finished working on this report."),
}


def reporter_state(status: str) -> str:
    if status in ("new", "acknowledged"):
        return "received"
    if status in ("in_progress", "waiting"):
        return "in_review"
    return "closed"


def can_move(current: str, target: str) -> bool:
    return target in MOVES.get(current, ())


RECIPIENT_KINDS: dict[str, str] = {
    "law_enforcement": N_("Law enforcement"),
    "community_partner": N_("Community partner"),
    "family": N_("Family"),
    "other": N_("Someone else"),
}

# Support and restorative actions, not punishment.
SUPPORT_KINDS: dict[str, str] = {
    "check_in": N_("Check-in with the student"),
    "restorative_conversation": N_("Restorative conversation"),
    "circle": N_("Restorative circle"),
    "mediation": N_("Mediation"),
    "family_meeting": N_("Family meeting"),
    "mentor_cico": N_("Mentor check-in / check-out"),
    "referral_counseling": N_("Referral to counseling"),
    "referral_partner": N_("Referral to a community partner"),
    "safety_plan_person": N_("Safety plan for a person"),
    "safety_plan_event": N_("Safety plan for an event"),
}
