"""What a reporter can tell us about, in the words they see.

Labels are marked with N_ here and translated where they are shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from web.i18n import N_


@dataclass(frozen=True)
class Category:
    key: str
    kind: str  # "concern" or "need"
    label: str
    hint: str = ""
    # Some dangers are treated as life-safety whatever the reporter answers about "right now".
    life_safety: bool = False


CATEGORIES: tuple[Category, ...] = (
    Category(
        "bullying",
        "concern",
        N_("Bullying or cyberbullying"),
        N_("Someone is being hurt, left out, or picked on, in person or online."),
    ),
    Category(
        "threat",
        "concern",
        N_("Threat of violence"),
        N_("Someone said or posted that they will hurt people."),
        life_safety=True,
    ),
    Category(
        "weapon",
        "concern",
        N_("Weapon"),
        N_("Someone has or talked about a gun, knife or other weapon."),
        life_safety=True,
    ),
    Category("fight", "concern", N_("Fight"), N_("A fight happened or is planned.")),
    Category(
        "self_harm",
        "concern",
        N_("Worried someone may hurt themselves"),
        N_("Self-harm or suicide worries, about a friend or yourself."),
        life_safety=True,
    ),
    Category(
        "abuse",
        "concern",
        N_("Abuse or neglect"),
        N_("A child is being hurt or not cared for at home or elsewhere."),
    ),
    Category(
        "harassment",
        "concern",
        N_("Sexual harassment"),
        N_("Unwanted touching, comments, pictures or messages."),
    ),
    Category(
        "drugs",
        "concern",
        N_("Drugs or alcohol"),
        N_("Someone is using, selling, or in danger from drugs or alcohol."),
    ),
    Category("gang", "concern", N_("Gang activity"), N_("Gang threats, recruiting, or fights.")),
    Category(
        "other_concern",
        "concern",
        N_("Something else that is not safe"),
        N_("Anything else that worries you."),
    ),
    Category("food", "need", N_("Food"), N_("Not enough to eat at home.")),
    Category(
        "transportation",
        "need",
        N_("Getting to school or appointments"),
        N_("No ride, bus pass, or way to get there."),
    ),
    Category("clothing", "need", N_("Clothes or shoes"), N_("Clothes, shoes, a coat, or school uniform.")),
    Category("housing", "need", N_("A place to live"), N_("No safe or steady place to sleep.")),
    Category(
        "medical",
        "need",
        N_("Medical or dental care"),
        N_("Seeing a doctor, dentist, or getting medicine or glasses."),
    ),
    Category(
        "feelings",
        "need",
        N_("Feeling anxious, sad, or stressed"),
        N_("Talk with someone about how you feel."),
    ),
    Category(
        "unsafe_home", "need", N_("Not feeling safe at home"), N_("Fighting, hurting, or fear at home.")
    ),
    Category("other_need", "need", N_("Something else"), N_("Any other kind of help.")),
)

BY_KEY: dict[str, Category] = {category.key: category for category in CATEGORIES}
DEFAULT_ENABLED: tuple[str, ...] = tuple(BY_KEY)


def enabled(keys: list[str] | None) -> list[Category]:
    """The categories a district turned on, in our order; all of them when none are set."""
    chosen = set(keys or DEFAULT_ENABLED)
    return [category for category in CATEGORIES if category.key in chosen]
