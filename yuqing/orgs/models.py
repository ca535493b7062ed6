"""The organisation tree (bureau → school → unit) and who holds which role where."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    class Kind(models.TextChoices):
        BUREAU = "bureau", _("Education bureau")
        SCHOOL = "school", _("School")
        UNIT = "unit", _("Unit")

    class UnitType(models.TextChoices):
        NONE = "", _("—")
        DEPARTMENT = "department", _("Department")
        GRADE = "grade", _("Grade")
        CLASS = "class", _("Class")
        LEAGUE = "league", _("League / club")

    # Which kinds may sit under which: a bureau may have sub-bureaus and schools, a school has units.
    ALLOWED_CHILDREN = {
        Kind.BUREAU: {Kind.BUREAU, Kind.SCHOOL},
        Kind.SCHOOL: {Kind.UNIT},
        Kind.UNIT: {Kind.UNIT},
    }

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=64, unique=True, allow_unicode=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    unit_type = models.CharField(_("unit type"), max_length=16, choices=UnitType.choices, blank=True, default="")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    # Materialised path "/1/5/9/" so a subtree is one indexed prefix query on SQLite and PostgreSQL alike.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent is None and self.kind != self.Kind.BUREAU:
            raise ValidationError({"parent": _("A school or unit must belong to a parent organisation.")})
        if self.parent is not None:
            allowed = self.ALLOWED_CHILDREN[self.Kind(self.parent.kind)]
            if self.kind not in allowed:
                raise ValidationError(
                    {"kind": _("A %(child)s cannot be placed under a %(parent)s.")
                     % {"child": self.get_kind_display(), "parent": self.parent.get_kind_display()}}
                )
            if self.pk and self.parent.path.startswith(self.path):
                raise ValidationError({"parent": _("An organisation cannot be moved below itself.")})

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        new_path = (self.parent.path if self.parent else "/") + f"{self.pk}/"
        if new_path != self.path:
            old_path = self.path
            Organization.objects.filter(pk=self.pk).update(path=new_path)
            self.path = new_path
            if old_path:
                for child in Organization.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                    Organization.objects.filter(pk=child.pk).update(path=new_path + child.path[len(old_path):])

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def ancestors(self):
        ids = [int(p) for p in self.path.strip("/").split("/") if p]
        return Organization.objects.filter(pk__in=ids).order_by("path")


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    PUBLICITY_LEAD = "publicity_lead", _("Publicity lead")
    EDITOR = "editor", _("Editor")
    REVIEWER_1 = "reviewer_1", _("Reviewer (initial)")
    REVIEWER_2 = "reviewer_2", _("Reviewer (second)")
    REVIEWER_3 = "reviewer_3", _("Reviewer (final)")
    MONITOR = "monitor", _("Monitor")
    LEADER = "leader", _("Leader")
    SUPERVISOR = "supervisor", _("Supervisor")


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="membership_unique_role")
        ]
        ordering = ["organization__path", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.get_role_display()}"
