"""Every write of publishing: drafts, versions, attachments, submission, stage decisions, publication, chains.

Each action checks permission through orgs/permissions.py, writes its change and an audit record in one
transaction and sends its signal after commit. Separation of duties is decided here and held by the
database: `Participation` allows one row per (draft, person).
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yuqing.audit.log import record
from yuqing.orgs import permissions
from yuqing.orgs.permissions import Perm
from yuqing.publishing import archive, chains, checks, media, richtext, signals
from yuqing.publishing import channels as targets
from yuqing.publishing.models import (
    Attachment,
    Category,
    Decision,
    Draft,
    DraftVersion,
    OwnCategory,
    Participation,
    PublishRecord,
    ReviewChain,
    ReviewerView,
    ReviewStage,
)

EDITABLE = {Draft.Status.EDITING, Draft.Status.REJECTED, Draft.Status.IN_REVIEW}
DRAFT_FIELDS = ("title", "body", "category", "is_repost", "source", "channels")
MAX_TITLE = 200


# --- helpers ---------------------------------------------------------------------------------------------

def categories_for(organization) -> list[tuple[str, str]]:
    """(code, label) of the shipped categories and those of the organisation and its ancestors."""
    ids = [int(p) for p in organization.path.strip("/").split("/") if p]
    own = OwnCategory.objects.filter(organization_id__in=ids).order_by("name")
    return [*Category.choices, *((c.code, c.name) for c in own)]


def _validate_fields(organization, data: dict) -> None:
    errors: dict[str, list[str]] = {}
    if "title" in data:
        title = (data["title"] or "").strip()
        if not title:
            errors["title"] = [_("A title is required.")]
        elif len(title) > MAX_TITLE:
            errors["title"] = [_("At most %(n)s characters.") % {"n": MAX_TITLE}]
    if "category" in data and data["category"] not in dict(categories_for(organization)):
        errors["category"] = [_("Unknown category “%(value)s”.") % {"value": data["category"]}]
    if data.get("is_repost") and "source" in data and not (data.get("source") or "").strip():
        errors["source"] = [_("A repost must name its source.")]
    if errors:
        raise ValidationError(errors)


def _lock(draft: Draft) -> Draft:
    return Draft.objects.select_for_update().get(pk=draft.pk)


def _participate(draft: Draft, user, role: str, stage: int | None = None) -> Participation:
    """The person's one role on the draft, created on first use; refuses a second, different role."""
    existing = Participation.objects.filter(draft=draft, user=user).first()
    if existing is None:
        try:
            with transaction.atomic():
                return Participation.objects.create(draft=draft, user=user, role=role, stage=stage)
        except IntegrityError:  # someone else's request created it meanwhile: judge that row
            existing = Participation.objects.get(draft=draft, user=user)
    if existing.role == role and existing.stage == stage:
        return existing
    stage_names = {s["position"]: s["name"] for s in draft.stages}
    if existing.role == Participation.Role.AUTHOR:
        if role == Participation.Role.REVIEWER:
            raise PermissionDenied(_("You wrote or edited this draft, so you may not review it."))
    elif role == Participation.Role.AUTHOR:
        raise PermissionDenied(_("You reviewed this draft at “%(stage)s”, so you may not edit it.")
                               % {"stage": stage_names.get(existing.stage, existing.stage)})
    raise PermissionDenied(_("You already acted on this draft at “%(stage)s”; one person may act on only one "
                             "stage of a draft.") % {"stage": stage_names.get(existing.stage, existing.stage)})


def _snapshot(draft: Draft) -> dict:
    return {"title": draft.title, "status": draft.status, "stage": draft.current_stage, "version": draft.version,
            "category": draft.category, "round": draft.round}


def _new_version(draft: Draft, user) -> DraftVersion:
    attachments = list(draft.attachment_files.filter(removed=False))
    draft.findings = checks.check_draft(title=draft.title, body_text=draft.body_text, attachments=attachments,
                                        is_repost=draft.is_repost, source=draft.source)
    draft.version += 1
    draft.save()
    return DraftVersion.objects.create(
        draft=draft, number=draft.version, title=draft.title, body=draft.body, body_text=draft.body_text,
        category=draft.category, is_repost=draft.is_repost, source=draft.source,
        attachments=[a.pk for a in attachments], findings=draft.findings, saved_by=user,
    )


def _store_inline_images(draft: Draft, user, clean: richtext.CleanBody) -> str:
    """Images pasted inside the body become checked attachments; their place in the body points at them."""
    html = clean.html
    for index, data in enumerate(clean.inline_images):
        try:
            checked = media.check_upload(data, f"inline-{index + 1}", field="body")
        except ValidationError:
            html = re.sub(rf'<img[^>]*src="inline:{index}"[^>]*>', "", html)
            continue
        att = _save_attachment(draft, user, data, f"pasted-{index + 1}.{checked.extension}", checked)
        html = html.replace(f'src="inline:{index}"', f'src="{attachment_url(att)}"')
    return html


def attachment_url(att: Attachment) -> str:
    from django.urls import reverse

    return reverse("publishing:attachment-file", args=[att.pk])


def _save_attachment(draft: Draft, user, data: bytes, name: str, checked: media.CheckedMedia) -> Attachment:
    att = Attachment(draft=draft, kind=checked.kind, name=name[:200], sha256=checked.sha256, size=checked.size,
                     content_type=checked.content_type, width=checked.width, height=checked.height,
                     uploaded_by=user)
    att.file.save(f"{checked.sha256}.{checked.extension}", ContentFile(data), save=True)
    return att


def _apply_body(draft: Draft, user, body: str) -> None:
    clean = richtext.sanitize(body)
    draft.body_text = clean.text
    draft.body = _store_inline_images(draft, user, clean) if clean.inline_images else clean.html


def _send(signal, **kwargs) -> None:
    transaction.on_commit(lambda: signal.send(sender=Draft, **kwargs))


# --- drafts ----------------------------------------------------------------------------------------------

def do_create_draft(*, organization, acting_user, title: str, body: str = "", category: str = Category.SCHOOL_NEWS,
                    channels=(), is_repost: bool = False, source: str = "",
                    purpose: str = Draft.Purpose.ARTICLE, subject=None) -> Draft:
    """A new draft (version 1) by `acting_user`, who becomes its author.

    Incidents create statement drafts with ``purpose="statement", subject=case``; they then go through the
    same chain, and `signals.draft_published` tells the subject's app when one went out.
    """
    permissions.require(acting_user, Perm.WRITE_DRAFTS, organization)
    data = {"title": title, "category": category, "is_repost": is_repost, "source": source}
    _validate_fields(organization, data)
    if purpose not in Draft.Purpose.values:
        raise ValidationError({"purpose": [_("Unknown purpose.")]})
    chosen = targets.resolve(organization, channels)
    with transaction.atomic():
        draft = Draft(organization=organization, title=title.strip(), category=category, is_repost=is_repost,
                      source=source.strip(), purpose=purpose, author=acting_user)
        if subject is not None:
            draft.subject = subject
        draft.save()
        _apply_body(draft, acting_user, body)
        targets.set_targets(draft, chosen)
        _participate(draft, acting_user, Participation.Role.AUTHOR)
        version = _new_version(draft, acting_user)
        record(actor=acting_user, action="draft.create", obj=draft, organization=organization,
               after={**_snapshot(draft), "channels": [c.pk for c in chosen]})
    _send(signals.draft_saved, draft=draft, version=version, acting_user=acting_user)
    return draft


def do_update_draft(draft: Draft, *, acting_user, **changes) -> Draft:
    """Save changes as a new version. Someone other than the author who edits becomes an author too."""
    permissions.require(acting_user, Perm.WRITE_DRAFTS, draft.organization)
    for field in changes:
        if field not in DRAFT_FIELDS:
            raise ValidationError({field: [_("This field cannot be changed here.")]})
    chosen = targets.resolve(draft.organization, changes.pop("channels")) if "channels" in changes else None
    merged = {"title": draft.title, "category": draft.category, "is_repost": draft.is_repost,
              "source": draft.source, **changes}
    _validate_fields(draft.organization, merged)
    with transaction.atomic():
        draft = _lock(draft)
        if draft.status not in EDITABLE:
            raise ValidationError({"status": [_("A draft that is %(status)s can no longer be changed.")
                                              % {"status": draft.get_status_display()}]})
        _participate(draft, acting_user, Participation.Role.AUTHOR)
        before = _snapshot(draft)
        for field in ("title", "category", "is_repost", "source"):
            if field in changes:
                setattr(draft, field, changes[field].strip() if isinstance(changes[field], str) else changes[field])
        if "body" in changes:
            _apply_body(draft, acting_user, changes["body"])
        if chosen is not None:
            targets.set_targets(draft, chosen)
        version = _new_version(draft, acting_user)
        record(actor=acting_user, action="draft.update", obj=draft, organization=draft.organization,
               before=before, after=_snapshot(draft))
    _send(signals.draft_saved, draft=draft, version=version, acting_user=acting_user)
    return draft


def do_add_attachment(draft: Draft, *, acting_user, data: bytes, name: str) -> Attachment:
    """Attach an image or video (checked by content and size); a new version records it."""
    permissions.require(acting_user, Perm.WRITE_DRAFTS, draft.organization)
    checked = media.check_upload(data, name, field="attachment")
    with transaction.atomic():
        draft = _lock(draft)
        if draft.status not in EDITABLE:
            raise ValidationError({"status": [_("A draft that is %(status)s can no longer be changed.")
                                              % {"status": draft.get_status_display()}]})
        _participate(draft, acting_user, Participation.Role.AUTHOR)
        att = _save_attachment(draft, acting_user, data, name, checked)
        version = _new_version(draft, acting_user)
        record(actor=acting_user, action="draft.attach", obj=draft, organization=draft.organization,
               after={"attachment": att.name, "sha256": att.sha256, "size": att.size, "version": draft.version})
    _send(signals.draft_saved, draft=draft, version=version, acting_user=acting_user)
    return att


def do_remove_attachment(attachment: Attachment, *, acting_user) -> None:
    draft = attachment.draft
    permissions.require(acting_user, Perm.WRITE_DRAFTS, draft.organization)
    with transaction.atomic():
        draft = _lock(draft)
        if draft.status not in EDITABLE:
            raise ValidationError({"status": [_("A draft that is %(status)s can no longer be changed.")
                                              % {"status": draft.get_status_display()}]})
        _participate(draft, acting_user, Participation.Role.AUTHOR)
        Attachment.objects.filter(pk=attachment.pk).update(removed=True)
        _new_version(draft, acting_user)
        record(actor=acting_user, action="draft.detach", obj=draft, organization=draft.organization,
               after={"attachment": attachment.name, "version": draft.version})


def do_submit_draft(draft: Draft, *, acting_user) -> Draft:
    """Send a draft (new or rejected) into review at the first stage of its organisation's chain."""
    permissions.require(acting_user, Perm.WRITE_DRAFTS, draft.organization)
    with transaction.atomic():
        draft = _lock(draft)
        if draft.status not in (Draft.Status.EDITING, Draft.Status.REJECTED):
            raise ValidationError({"status": [_("Only a draft being edited or a rejected draft can be submitted; "
                                                "this one is %(status)s.") % {"status": draft.get_status_display()}]})
        _participate(draft, acting_user, Participation.Role.AUTHOR)
        targets.require_targets(draft)
        attachments = list(draft.attachment_files.filter(removed=False))
        # Checks run again: lexicons or the policy may have changed since the last save.
        draft.findings = checks.check_draft(title=draft.title, body_text=draft.body_text, attachments=attachments,
                                            is_repost=draft.is_repost, source=draft.source)
        before = _snapshot(draft)
        draft.stages = chains.stages_for(draft.organization)
        draft.round += 1
        draft.status = Draft.Status.IN_REVIEW
        draft.submitted_at = timezone.now()
        _enter_stage(draft, 1)
        draft.save()
        record(actor=acting_user, action="draft.submit", obj=draft, organization=draft.organization,
               before=before, after={**_snapshot(draft), "blocking": len(checks.blocking(draft.findings))})
    _send(signals.draft_submitted, draft=draft, acting_user=acting_user)
    return draft


STAGE_DEADLINE = "draft.review_stage"


def _enter_stage(draft: Draft, position: int) -> None:
    """Put the draft at a stage; a stage with a time limit starts a deadline with a reminder at three quarters."""
    _close_stage_deadline(draft)
    draft.current_stage = position
    stage = draft.stages[position - 1]
    hours = stage.get("hours")
    draft.stage_due_at = timezone.now() + timedelta(hours=hours) if hours else None
    if hours:
        from yuqing.deadlines.actions import open_deadline

        open_deadline(draft, kind=STAGE_DEADLINE, due_at=draft.stage_due_at,
                      remind_at=timezone.now() + timedelta(hours=hours * 0.75), organization=draft.organization,
                      rule=_("%(stage)s: within %(hours)s hours") % {"stage": stage["name"], "hours": hours},
                      title=_("%(stage)s of “%(title)s”") % {"stage": stage["name"], "title": draft.title})


def _close_stage_deadline(draft: Draft, *, waive_reason: str = "") -> None:
    """The stage was acted on: its deadline is met; a withdrawn draft's is waived instead."""
    from yuqing.deadlines.actions import deadlines_for, do_meet_deadline, do_waive_deadline

    for deadline in deadlines_for(draft).filter(kind=STAGE_DEADLINE, state__in=["open", "overdue"]):
        if waive_reason:
            do_waive_deadline(deadline, acting_user=None, reason=waive_reason)
        else:
            do_meet_deadline(deadline, acting_user=None, note=f"stage {draft.current_stage}")


def do_withdraw_draft(draft: Draft, *, acting_user) -> Draft:
    permissions.require(acting_user, Perm.WRITE_DRAFTS, draft.organization)
    with transaction.atomic():
        draft = _lock(draft)
        if draft.status in (Draft.Status.APPROVED, Draft.Status.PUBLISHED, Draft.Status.WITHDRAWN):
            raise ValidationError({"status": [_("A draft that is %(status)s cannot be withdrawn.")
                                              % {"status": draft.get_status_display()}]})
        _participate(draft, acting_user, Participation.Role.AUTHOR)
        before = _snapshot(draft)
        _close_stage_deadline(draft, waive_reason="draft withdrawn")
        draft.status, draft.current_stage, draft.stage_due_at = Draft.Status.WITHDRAWN, 0, None
        draft.save()
        record(actor=acting_user, action="draft.withdraw", obj=draft, organization=draft.organization,
               before=before, after=_snapshot(draft))
    return draft


def do_decide_draft(draft: Draft, *, acting_user, decision: str, comment: str = "", to_stage: int | None = None,
                    passage: str = "", override_reason: str = "") -> Decision:
    """A reviewer's decision at the draft's current stage: approve, reject (to the author) or return.

    Final approval with a finding of severity block needs `override_reason` (audited); it creates the
    publish record with the archived materials.
    """
    if decision not in Decision.Kind.values:
        raise ValidationError({"decision": [_("Must be one of approve, reject, return.")]})
    comment, passage, override_reason = (comment or "").strip(), (passage or "").strip(), (override_reason or "").strip()
    with transaction.atomic():
        draft = _lock(draft)
        if not permissions.has_perm(acting_user, Perm.VIEW, draft.organization):
            raise PermissionDenied(_("You may not review drafts of this organisation."))
        if draft.status != Draft.Status.IN_REVIEW:
            raise ValidationError({"status": [_("This draft is %(status)s, not in review.")
                                              % {"status": draft.get_status_display()}]})
        position = draft.current_stage
        stage = draft.stages[position - 1]
        # Separation of duties first: an author or a reviewer of another stage hears that reason, not a role's.
        participation = _participate(draft, acting_user, Participation.Role.REVIEWER, position)
        if not chains.may_act_at(acting_user, stage, draft.organization):
            raise PermissionDenied(_("You are not one of the reviewers of “%(stage)s”.") % {"stage": stage["name"]})
        final = position == len(draft.stages)
        errors: dict[str, list[str]] = {}
        if decision in (Decision.Kind.REJECT, Decision.Kind.RETURN) and not comment:
            errors["comment"] = [_("Say what must change.")]
        if decision == Decision.Kind.RETURN:
            if to_stage is None:
                errors["to_stage"] = [_("Name the earlier stage to return the draft to.")]
            elif not 1 <= int(to_stage) < position:
                errors["to_stage"] = [_("Must be an earlier stage, 1 to %(n)s.") % {"n": position - 1}]
        blocking = checks.blocking(draft.findings)
        if decision == Decision.Kind.APPROVE and final and blocking and not draft.block_overridden:
            if not override_reason:
                errors["override_reason"] = [
                    _("%(n)s finding(s) of severity block remain (%(which)s): fix them, or give a reason to "
                      "override them.") % {"n": len(blocking), "which": "、".join(f["matched"] or f["rule_id"]
                                                                                   for f in blocking[:5])}]
        elif override_reason and not (final and blocking and decision == Decision.Kind.APPROVE):
            errors["override_reason"] = [_("Only the final stage's approval overrides findings of severity "
                                           "block.")]
        if passage and passage not in draft.body_text and passage not in draft.title:
            errors["passage"] = [_("The passage must be quoted from the draft.")]
        if errors:
            raise ValidationError(errors)
        before = _snapshot(draft)
        made = Decision.objects.create(
            draft=draft, participation=participation, actor=acting_user, stage=position, stage_name=stage["name"],
            round=draft.round, version=draft.version, decision=decision, comment=comment, passage=passage,
            to_stage=int(to_stage) if decision == Decision.Kind.RETURN else None, override_reason=override_reason,
        )
        publish_record = None
        if override_reason:
            draft.block_override_reason, draft.block_override_version = override_reason, draft.version
            record(actor=acting_user, action="draft.override_block", obj=draft, organization=draft.organization,
                   after={"reason": override_reason, "version": draft.version, "findings": blocking})
        if decision == Decision.Kind.APPROVE and final:
            _close_stage_deadline(draft)
            draft.status, draft.current_stage, draft.stage_due_at = Draft.Status.APPROVED, 0, None
            draft.save()
            publish_record = _create_publish_record(draft)
        elif decision == Decision.Kind.APPROVE:
            _enter_stage(draft, position + 1)
        elif decision == Decision.Kind.RETURN:
            _enter_stage(draft, int(to_stage))
        else:
            _close_stage_deadline(draft)
            draft.status, draft.current_stage, draft.stage_due_at = Draft.Status.REJECTED, 0, None
        draft.save()
        record(actor=acting_user, action=f"draft.{decision}", obj=draft, organization=draft.organization,
               before=before, after={**_snapshot(draft), "comment": comment, "to_stage": made.to_stage})
    _send(signals.draft_decided, draft=draft, decision=made, acting_user=acting_user)
    if publish_record is not None:
        _send(signals.draft_approved, draft=draft, record=publish_record, acting_user=acting_user)
    return made


def reviewers_of(draft: Draft) -> list[dict]:
    """Per stage, the person whose approval let the draft pass it in the latest round."""
    out = []
    for stage in draft.stages:
        last = (Decision.objects.filter(draft=draft, round=draft.round, stage=stage["position"],
                                        decision=Decision.Kind.APPROVE)
                .select_related("actor").order_by("-created_at", "-pk").first())
        if last is None:
            continue
        out.append({"stage": stage["position"], "stage_name": stage["name"], "user_id": last.actor_id,
                    "username": last.actor.username, "name": last.actor.display_name,
                    "at": timezone.localtime(last.created_at).isoformat()})
    return out


def reviewer_line(reviewers: list[dict]) -> str:
    """"初审：张三　复审：李四　终审：王五" — short stage names, for appending to the publication."""
    parts = []
    for r in reviewers:
        short = re.sub(r"(审)[一二三四五六七八九十\d]校$", r"\1", r["stage_name"])
        parts.append(f"{short}：{r['name']}")
    return "　".join(parts)


def _create_publish_record(draft: Draft) -> PublishRecord:
    reviewers = reviewers_of(draft)
    pub = PublishRecord.objects.create(
        draft=draft, organization=draft.organization, version=draft.version, title=draft.title,
        reviewers=reviewers, reviewer_line=reviewer_line(reviewers), approved_at=timezone.now(),
    )
    targets.copy_to_record(draft, pub)
    archive.archive_materials(pub, draft)
    record(actor=None, action="publication.create", obj=pub, organization=draft.organization,
           after={"draft": draft.pk, "version": draft.version, "reviewers": pub.reviewer_line,
                  "archive": {a.name: a.sha256 for a in pub.archive.all()}})
    return pub


def do_mark_seen(draft: Draft, *, acting_user) -> int | None:
    """Remember the version a person looked at; returns the version they had seen before (None: never)."""
    view = ReviewerView.objects.filter(draft=draft, user=acting_user).first()
    previous = view.version if view else None
    if previous != draft.version:
        ReviewerView.objects.update_or_create(draft=draft, user=acting_user, defaults={"version": draft.version})
    return previous


# --- publication -----------------------------------------------------------------------------------------

def do_record_preview(pub: PublishRecord, *, acting_user, note: str = "") -> PublishRecord:
    """The test send / preview (先预览再群发) that must precede marking the mass send as done."""
    permissions.require(acting_user, Perm.PUBLISH_DRAFTS, pub.organization)
    with transaction.atomic():
        pub = PublishRecord.objects.select_for_update().get(pk=pub.pk)
        if pub.status == PublishRecord.Status.PUBLISHED:
            raise ValidationError({"status": [_("Already published.")]})
        pub.status, pub.preview_at, pub.preview_by, pub.preview_note = (
            PublishRecord.Status.PREVIEWED, timezone.now(), acting_user, (note or "").strip()[:500])
        pub.save()
        record(actor=acting_user, action="publication.preview", obj=pub, organization=pub.organization,
               after={"note": pub.preview_note})
    return pub


def do_publish(pub: PublishRecord, *, acting_user, url: str = "") -> PublishRecord:
    """Mark the mass send done (after the test send); the channels' last publication dates move."""
    permissions.require(acting_user, Perm.PUBLISH_DRAFTS, pub.organization)
    url = (url or "").strip()
    _validate_url(url)
    with transaction.atomic():
        pub = PublishRecord.objects.select_for_update().get(pk=pub.pk)
        if pub.status == PublishRecord.Status.PUBLISHED:
            raise ValidationError({"status": [_("Already published.")]})
        if pub.status != PublishRecord.Status.PREVIEWED:
            raise ValidationError({"status": [_("Record the test send (preview) before the mass send.")]})
        pub.status, pub.published_at, pub.published_by = PublishRecord.Status.PUBLISHED, timezone.now(), acting_user
        if url:
            pub.url = url
        pub.save()
        Draft.objects.filter(pk=pub.draft_id).update(status=Draft.Status.PUBLISHED, updated_at=timezone.now())
        targets.mark_published(pub)
        record(actor=acting_user, action="publication.publish", obj=pub, organization=pub.organization,
               after={"url": pub.url, "published_at": pub.published_at.isoformat()})
    draft = Draft.objects.get(pk=pub.draft_id)
    transaction.on_commit(lambda: signals.draft_published.send(sender=Draft, draft=draft, record=pub,
                                                               acting_user=acting_user))
    return pub


def _validate_url(url: str) -> None:
    if url and not re.match(r"^https?://[^\s/]+", url):
        raise ValidationError({"url": [_("Enter an http:// or https:// address.")]})


def do_set_publication_url(pub: PublishRecord, *, acting_user, url: str) -> PublishRecord:
    """Enter the publication's address once it is known (or a source found it later)."""
    if acting_user is not None:
        permissions.require(acting_user, Perm.PUBLISH_DRAFTS, pub.organization)
    url = (url or "").strip()
    _validate_url(url)
    if not url:
        raise ValidationError({"url": [_("Enter an http:// or https:// address.")]})
    with transaction.atomic():
        before = {"url": pub.url}
        PublishRecord.objects.filter(pk=pub.pk).update(url=url)
        pub.url = url
        record(actor=acting_user, action="publication.url", obj=pub, organization=pub.organization,
               before=before, after={"url": url})
    return pub


# --- chains ----------------------------------------------------------------------------------------------

def do_configure_chain(organization, *, acting_user, stages: list[dict]) -> ReviewChain:
    """Set the organisation's chain: [{"name", "roles": [...], "people": [user ids], "hours": int|None}, ...].

    An empty list removes the organisation's own chain, so it inherits its bureau's (or the default) again.
    Drafts already in review keep the chain they were submitted with.
    """
    from django.contrib.auth import get_user_model

    from yuqing.orgs.models import Role

    permissions.require(acting_user, Perm.MANAGE_REVIEW_CHAINS, organization)
    errors: dict[str, list[str]] = {}
    if len(stages) > 9:
        errors["stages"] = [_("At most 9 stages.")]
    cleaned = []
    for i, stage in enumerate(stages, start=1):
        name = (stage.get("name") or "").strip()
        roles = [r for r in stage.get("roles", []) if r]
        people = [int(p) for p in stage.get("people", []) if str(p).strip()]
        hours = stage.get("hours")
        if not name:
            errors[f"stages.{i}.name"] = [_("Stage %(n)s needs a name.") % {"n": i}]
        bad = [r for r in roles if r not in Role.values]
        if bad:
            errors[f"stages.{i}.roles"] = [_("Unknown role %(role)s.") % {"role": ", ".join(bad)}]
        if not roles and not people:
            errors[f"stages.{i}.roles"] = [_("Stage %(n)s needs a role or named people who may act.") % {"n": i}]
        if hours not in (None, ""):
            try:
                hours = int(hours)
                if hours <= 0:
                    raise ValueError
            except (TypeError, ValueError):
                errors[f"stages.{i}.hours"] = [_("A positive number of hours, or empty.")]
        else:
            hours = None
        cleaned.append((name, roles, people, hours))
    all_people = {p for _n, _r, people, _h in cleaned for p in people}
    found = set(get_user_model().objects.filter(pk__in=all_people).values_list("pk", flat=True))
    if all_people - found:
        errors["stages"] = [_("Unknown people: %(ids)s.") % {"ids": ", ".join(map(str, sorted(all_people - found)))}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = chains.stages_for(organization)
        ReviewChain.objects.filter(organization=organization).delete()
        chain = None
        if cleaned:
            chain = ReviewChain.objects.create(organization=organization)
            for position, (name, roles, people, hours) in enumerate(cleaned, start=1):
                stage = ReviewStage.objects.create(chain=chain, position=position, name=name, roles=roles,
                                                   time_limit_hours=hours)
                stage.people.set(people)
        record(actor=acting_user, action="review_chain.configure", obj=chain or organization,
               organization=organization, before={"stages": before},
               after={"stages": chains.stages_for(organization)})
    return chain


def do_add_category(organization, *, acting_user, code: str, name: str) -> OwnCategory:
    """An organisation's own category (offered to it and everything below it), besides the shipped six."""
    permissions.require(acting_user, Perm.MANAGE_REVIEW_CHAINS, organization)
    code, name = (code or "").strip().lower(), (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,47}", code):
        errors["code"] = [_("Letters, digits, - and _ only, at most 48.")]
    elif code in dict(categories_for(organization)):
        errors["code"] = [_("This category already exists.")]
    if not name:
        errors["name"] = [_("A name is required.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        category = OwnCategory.objects.create(organization=organization, code=code, name=name[:100])
        record(actor=acting_user, action="draft_category.create", obj=category, organization=organization,
               after={"code": code, "name": category.name})
    return category
