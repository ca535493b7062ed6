"""Short guides for the four handling types (seed 001, 篇二十二), shown on the case and in the bulletin."""

from django.utils.translation import gettext_lazy as _

from yuqing.incidents.models import HandlingType

GUIDES = {
    HandlingType.IMMEDIATE: _(
        "For a question that can be answered on the spot: answer at once, in plain words, through the channel the "
        "question was asked in, and record the answer on the case."),
    HandlingType.SAME_DAY: _(
        "For a matter that needs checking: answer the same day that it has been received and is being handled, "
        "say by which date a result will follow, and keep that date."),
    HandlingType.CLARIFY: _(
        "For fabricated or distorted content: verify the facts, publish an authoritative clarification with "
        "evidence through the school's official channels, and report rumours to the platform or the authorities."),
    HandlingType.ADOPT: _(
        "For a constructive suggestion: thank the person, say what will be adopted and when, and report back "
        "once it has been done."),
}


def guide(handling_type: str) -> str:
    return str(GUIDES.get(handling_type, ""))
