"""Append-only audit records, each carrying the keyed hash of the one before it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yuqing.audit import chain
from yuqing.audit.chain import GENESIS_HASH

__all__ = ["GENESIS_HASH", "AuditChainHead", "AuditRecord"]


class AuditRecord(models.Model):
    created_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("actor"),
    )
    # Kept as text too, so the record still says who acted after the account is gone.
    actor_name = models.CharField(_("actor"), max_length=150)
    organization = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("organisation"),
    )
    organization_path = models.CharField(max_length=255, db_index=True, blank=True, default="")
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    ip_address = models.CharField(max_length=45, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_repr}"

    def compute_hash(self) -> str:
        """The keyed hash (HMAC) of every column but `hash`; see `yuqing.audit.chain`."""
        return chain.record_hash(self)

    def save(self, *args, **kwargs):
        if self.pk is not None and AuditRecord.objects.filter(pk=self.pk).exists():
            raise PermissionError("audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit records are append-only")


class AuditChainHead(models.Model):
    """A single row locked while appending, so concurrent writers extend the chain one at a time."""

    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
