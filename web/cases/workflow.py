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

# What the reporter sees on /check, in plain words, for every status: each one true of the case as it
# stands (a case someone acknowledged has been read by a person; one waiting is waiting for them).
REPORTER_WORDS = {
    "received": N_("Received. Your school has your report and will read it soon."),
    "read": N_("Read. A person at school has read your report."),
    "in_review": N_("Being looked at. Someone at school is working on it."),
    "waiting": N_(
        "Waiting for you. Someone at school has read your report and asked you something. Please read their message and write back."
    ),
    "resolved": N_(
        "Done for now. The school has finished what it could do. You can still write to them here."
    ),
    "closed": N_("Closed. The school has finished working on this report."),
}

_REPORTER_STATE = {
    "new": "received",
    "acknowledged": "read",
    "in_progress": "in_review",
    "waiting": "waiting",
    "resolved": "resolved",
    "closed": "closed",
}


def reporter_state(status: str) -> str:
    return _REPORTER_STATE.get(status, "closed")


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
