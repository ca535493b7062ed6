"""Signals detection sends, always after the transaction that made the change commits.

Detection tells; it does not know who listens (notify alerts people, incidents opens cases). A receiver that
needs the level in the database can rely on it being there.
"""

from __future__ import annotations

from django.dispatch import Signal

# sender=Event; event, from_level (Level, None for the first grading), to_level (Level), reason (str, Chinese),
# reasons (list[str], Chinese; reason is them joined), acting_user (None when grading raised it)
event_level_raised = Signal()

# sender=Event; event, level (Level) a topic proposes without it taking effect (待研判), reasons (list[str])
event_level_proposed = Signal()


def announce_level_raised(event, *, from_level, to_level, reasons, acting_user=None) -> None:
    """Send ``event_level_raised`` once the current transaction commits."""
    from django.db import transaction

    from yuqing.levels import Level

    reasons = [str(r) for r in reasons]
    kwargs = dict(event=event, from_level=Level(from_level) if from_level else None, to_level=Level(to_level),
                  reason="；".join(reasons), reasons=reasons, acting_user=acting_user)
    transaction.on_commit(lambda: event_level_raised.send(sender=type(event), **kwargs))


def announce_level_proposed(event, *, level, reasons) -> None:
    """Send ``event_level_proposed`` once the current transaction commits."""
    from django.db import transaction

    from yuqing.levels import Level

    kwargs = dict(event=event, level=Level(level), reasons=[str(r) for r in reasons])
    transaction.on_commit(lambda: event_level_proposed.send(sender=type(event), **kwargs))
