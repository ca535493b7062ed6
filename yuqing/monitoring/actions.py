"""Every change to sources, and tips and imports by people: permission check, audit record, one transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yuqing.audit.log import apply_changes, record, snapshot
from yuqing.collection.connectors import fileimport, tip, webhook
from yuqing.collection.errors import CollectionError, ConfigError, FieldError
from yuqing.monitoring.models import Evidence, Item, Source
from yuqing.monitoring.pipeline import StoreResult, identity_hash, plain_error, source_config, store_entries
from yuqing.orgs import permissions
from yuqing.orgs.permissions import Perm

SOURCE_FIELDS = ("name", "kind", "url", "options", "secret", "interval_seconds", "enabled", "allow_private",
                 "respect_robots")
_AUDIT_FIELDS = [*SOURCE_FIELDS, "secret_headers", "organization", "flagged"]
# Connector option → the form field that holds it (the rest live in "options").
_OPTION_FIELD = {"url": "url", "list_url": "url", "secret": "secret", "token": "secret"}
MIN_INTERVAL_SECONDS = 60


def _keep_headers_secret(source: Source) -> None:
    """Move a `headers` option into the encrypted column; options without `headers` keep the stored ones."""
    options = dict(source.options or {})
    if "headers" not in options:
        return
    headers = options.pop("headers")
    source.options = options
    source.secret_headers = json.dumps(headers, ensure_ascii=False) if headers else ""


def _check_private(acting_user, organization, allow_private: bool, before: bool = False) -> None:
    """Reaching private networks is an SSRF risk: only an administrator may grant it (or keep changing it)."""
    if allow_private != before and not permissions.has_perm(acting_user, Perm.MANAGE_ORGANIZATION, organization):
        raise PermissionDenied(_("Only an administrator may allow a source to reach private networks."))


def _validate(source: Source) -> None:
    errors: dict[str, list[str]] = {}
    if not source.name.strip():
        errors["name"] = [_("A name is required.")]
    if source.kind not in Source.Kind.values:
        errors["kind"] = [_("Unknown kind.")]
    elif source.is_pull and source.interval_seconds < MIN_INTERVAL_SECONDS:
        errors["interval_seconds"] = [_("At least %(n)s seconds, to be polite to the site.") % {"n": MIN_INTERVAL_SECONDS}]
    if errors:
        raise ValidationError(errors)
    try:
        source_config(source)
    except ConfigError as exc:
        field = _OPTION_FIELD.get(exc.field.split(".")[0], "options")
        raise ValidationError({field: [plain_error(exc)]}) from exc


def do_create_source(*, organization, acting_user, name: str, kind: str, url: str = "", options: dict | None = None,
                     secret: str = "", interval_seconds: int = 900, enabled: bool = True, allow_private: bool = False,
                     respect_robots: bool = True) -> Source:
    permissions.require(acting_user, Perm.MANAGE_SOURCES, organization)
    _check_private(acting_user, organization, allow_private)
    if kind == Source.Kind.WEBHOOK and not secret:
        secret = webhook.generate_secret()
    source = Source(organization=organization, name=name, kind=kind, url=url, options=options or {}, secret=secret,
                    interval_seconds=interval_seconds, enabled=enabled, allow_private=allow_private,
                    respect_robots=respect_robots, next_run_at=timezone.now())
    _keep_headers_secret(source)
    _validate(source)
    with transaction.atomic():
        source.save()
        record(actor=acting_user, action="source.create", obj=source, organization=organization,
               after=snapshot(source, fields=_AUDIT_FIELDS))
    return source


def do_update_source(source: Source, *, acting_user, **changes) -> Source:
    """Change a source; an empty ``secret`` keeps the stored one (it is never shown, so forms send it empty)."""
    permissions.require(acting_user, Perm.MANAGE_SOURCES, source.organization)
    before = snapshot(source, fields=_AUDIT_FIELDS)
    if "allow_private" in changes:
        _check_private(acting_user, source.organization, bool(changes["allow_private"]), source.allow_private)
    if not changes.get("secret", True):
        del changes["secret"]
    apply_changes(source, changes, set(SOURCE_FIELDS) - {"kind"})
    _keep_headers_secret(source)
    _validate(source)
    # a new address or new options deserve a fresh fetch, not a 304 for the old one
    source.etag = source.last_modified = ""
    source.next_run_at = timezone.now()
    with transaction.atomic():
        source.save()
        record(actor=acting_user, action="source.update", obj=source, organization=source.organization,
               before=before, after=snapshot(source, fields=_AUDIT_FIELDS))
    return source


def do_delete_source(source: Source, *, acting_user) -> None:
    permissions.require(acting_user, Perm.MANAGE_SOURCES, source.organization)
    with transaction.atomic():
        record(actor=acting_user, action="source.delete", obj=source, organization=source.organization,
               before=snapshot(source, fields=_AUDIT_FIELDS))
        source.delete()


def do_rotate_push_secret(source: Source, *, acting_user) -> str:
    """A new webhook secret; the old one keeps verifying as ``previous_secret`` until the next rotation."""
    permissions.require(acting_user, Perm.MANAGE_SOURCES, source.organization)
    new = webhook.generate_secret()
    with transaction.atomic():
        source.options = {**source.options, "previous_secret": source.secret}
        source.secret = new
        source.save(update_fields=["options", "secret"])
        record(actor=acting_user, action="source.rotate_secret", obj=source, organization=source.organization)
    return new


def _own_source(organization, kind: str, name: str) -> Source:
    """The organisation's source for tips or imports, created on first use."""
    source, _created = Source.objects.get_or_create(
        organization=organization, kind=kind, defaults={"name": name, "enabled": True, "interval_seconds": 0}
    )
    return source


# The statutory levels 1 一般 … 4 特别重大 (detection's Level values) a tip's submitter may choose.
TIP_LEVELS = (1, 2, 3, 4)


@dataclass
class TipOutcome:
    item: Item
    evidence: Evidence | None


def do_submit_tip(*, organization, acting_user, url: str = "", text: str = "", title: str = "",
                  screenshot: bytes | None = None, screenshot_name: str = "", level: int | None = None) -> TipOutcome:
    """A person's tip becomes an item (deduplicated like any other) with the screenshot kept as evidence.

    `level` (1 一般 … 4 特别重大) is the level the submitter judged the tip to be; without it the tip's event
    starts at 一般 and a topic it touches only proposes a higher level (detection grades it).
    """
    permissions.require(acting_user, Perm.SUBMIT_TIP, organization)
    from yuqing.monitoring.forms import MAX_TIP_CHARS

    if len(text or "") > MAX_TIP_CHARS or len(title or "") > 500:
        raise ValidationError({"text" if len(text or "") > MAX_TIP_CHARS else "title": [
            _("At most %(n)s characters.") % {"n": MAX_TIP_CHARS if len(text or "") > MAX_TIP_CHARS else 500}]})
    if level is not None and level not in TIP_LEVELS:
        raise ValidationError({"level": [_("Choose a level from 1 (一般) to 4 (特别重大).")]})
    try:
        entry, proof = tip.build_tip(url=url, text=text, title=title, screenshot=screenshot,
                                     screenshot_name=screenshot_name, submitted_by=acting_user.get_username())
    except FieldError as exc:
        raise ValidationError({exc.field or "text": [plain_error(exc).split(": ", 1)[-1]]}) from exc
    if level is not None:
        entry.extra["submitted_level"] = int(level)
    with transaction.atomic():
        source = _own_source(organization, Source.Kind.TIP, _("Manual tips"))
        store_entries(organization, source, [entry])
        item = Item.objects.get(organization=organization, url_hash=identity_hash(entry, source.pk))
        evidence = None
        if screenshot and proof is not None:
            evidence = Evidence(item=item, kind=Evidence.Kind.SCREENSHOT, sha256=proof.sha256, size=proof.size,
                                content_type=proof.content_type, submitted_by=acting_user)
            extension = proof.content_type.split("/")[-1].replace("jpeg", "jpg")
            evidence.file.save(f"{proof.sha256}.{extension}", ContentFile(screenshot), save=True)
        record(actor=acting_user, action="item.tip", obj=item, organization=organization,
               after={"url": item.url, "title": item.title, "evidence": proof.sha256 if proof else None,
                      "level": level})
    return TipOutcome(item, evidence)


@dataclass
class ImportOutcome:
    rows: int
    stored: StoreResult | None  # None for a dry run
    errors: list  # EntryError with row numbers
    dry_run: bool = False
    preview: list = field(default_factory=list)  # a dry run's first entries, as they would be stored
    would_be_new: int = 0
    already_known: int = 0


IMPORT_PREVIEW_ROWS = 20


def _read_import(data: bytes, filename: str, mapping: dict, platform: str):
    try:
        file_format = fileimport.format_from_filename(filename)
        config = fileimport.FileImportConfig.from_options(
            {"format": str(file_format), "mapping": mapping, "platform": platform})
        return fileimport.import_with_config(data, config)
    except ConfigError as exc:
        field_name = "file" if exc.field == "format" else "mapping"
        raise ValidationError({field_name: [plain_error(exc)]}) from exc
    except CollectionError as exc:
        raise ValidationError({"file": [plain_error(exc)]}) from exc


def do_import_file(*, organization, acting_user, data: bytes, filename: str, mapping: dict,
                   platform: str = "", dry_run: bool = False, progress=None) -> ImportOutcome:
    """Import a CSV/XLSX/JSONL export: good rows are stored, bad rows are listed with their row numbers.

    A dry run reads and checks the whole file the same way and says what would be stored (new or already
    known, the first rows as they would look) without storing anything or writing the audit log.
    ``progress(done, total, message)`` hears how many rows are stored as the chunks commit."""
    permissions.require(acting_user, Perm.MANAGE_SOURCES, organization)
    result = _read_import(data, filename, mapping, platform)
    if dry_run:
        source = Source.objects.filter(organization=organization, kind=Source.Kind.FILEIMPORT).first()
        hashes = {identity_hash(entry, source.pk if source else None) for entry in result.entries}
        known = set(Item.objects.filter(organization=organization, url_hash__in=hashes)
                    .values_list("url_hash", flat=True)) if hashes else set()
        return ImportOutcome(result.rows, None, result.errors, dry_run=True,
                             preview=result.entries[:IMPORT_PREVIEW_ROWS],
                             would_be_new=len(hashes - known), already_known=len(known))
    source = _own_source(organization, Source.Kind.FILEIMPORT, _("File imports"))
    total = len(result.entries)
    after_chunk = None
    if progress is not None:
        from yuqing.monitoring.pipeline import CHUNK_SIZE

        progress(0, total, "")
        after_chunk = lambda number: progress(min((number + 1) * CHUNK_SIZE, total), total, "")  # noqa: E731
    stored = store_entries(organization, source, result.entries, after_chunk=after_chunk)
    with transaction.atomic():
        record(actor=acting_user, action="items.import", obj=source, organization=organization,
               after={"file": filename, "rows": result.rows, "new": len(stored.new_ids),
                      "updated": len(stored.updated_ids), "bad_rows": [e.index for e in result.errors][:100]})
    return ImportOutcome(result.rows, stored, result.errors)
