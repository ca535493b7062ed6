"""Signals of publishing, sent after the transaction commits; other apps (incidents) subscribe here.

- draft_saved(sender=Draft, draft, version, acting_user): a new version was saved.
- draft_submitted(sender=Draft, draft, acting_user): a draft entered review at its first stage.
- draft_decided(sender=Draft, draft, decision, acting_user): a reviewer approved, rejected or returned it.
- draft_approved(sender=Draft, draft, record, acting_user): the final stage approved; `record` is the PublishRecord.
- draft_published(sender=Draft, draft, record, acting_user): the mass send was marked done.
"""

from django.dispatch import Signal

draft_saved = Signal()
draft_submitted = Signal()
draft_decided = Signal()
draft_approved = Signal()
draft_published = Signal()
