"""Who may keep an item past its retention period: a registry other modules add their checks to.

A protector is `func(item_ids: list[int]) -> Iterable[int]` answering which of the given items it still needs
(an event's posts, a case's evidence, a report's sources). Register one from your app's `ready()`:

    from yuqing.retention.protectors import register_protector
    register_protector("incidents.case", lambda ids: CaseItem.objects.filter(item_id__in=ids)
                       .values_list("item_id", flat=True))

Retention removes only items no protector claims; what a protector keeps stays, with its metrics and mentions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

Protector = Callable[[Sequence[int]], Iterable[int]]
_protectors: dict[str, Protector] = {}


def register_protector(name: str, func: Protector) -> None:
    """Add (or replace) the protector `name`."""
    _protectors[name] = func


def unregister_protector(name: str) -> None:
    _protectors.pop(name, None)


def protected(item_ids: Sequence[int]) -> dict[str, set[int]]:
    """For each protector, which of `item_ids` it keeps."""
    ids = list(item_ids)
    return {name: set(func(ids)) for name, func in _protectors.items()} if ids else {}


def names() -> list[str]:
    return sorted(_protectors)


def _event_posts(ids: Sequence[int]) -> Iterable[int]:
    from yuqing.detection.models import Event, Mention

    yield from Mention.objects.filter(item_id__in=ids, event__isnull=False).values_list("item_id", flat=True)
    yield from Event.objects.filter(representative_item_id__in=ids).values_list("representative_item_id",
                                                                                 flat=True)


def _evidence(ids: Sequence[int]) -> Iterable[int]:
    from yuqing.monitoring.models import Evidence

    return Evidence.objects.filter(item_id__in=ids).values_list("item_id", flat=True)


def _originals_of_kept_copies(ids: Sequence[int]) -> Iterable[int]:
    """An original whose copy belongs to an event stays, so the event still shows where its story began."""
    from yuqing.detection.models import Mention

    return (Mention.objects.filter(item__original_id__in=ids, event__isnull=False)
            .values_list("item__original_id", flat=True))


def register_builtin() -> None:
    register_protector("detection.event", _event_posts)
    register_protector("detection.story", _originals_of_kept_copies)
    register_protector("monitoring.evidence", _evidence)
