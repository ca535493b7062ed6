"""Rotating the encryption key keeps every stored secret: `yuqing keys rotate` re-encrypts them all."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_keys_rotate_moves_every_secret_to_the_new_key(world, settings):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from yuqing.notify.models import Notifier

    settings.YUQING_ENCRYPTION_KEY = "old-key-material"
    n = Notifier.objects.create(organization=world.school, name="n", kind="webhook", proxy="http://u:p@proxy:3128")
    n.set_secrets({"secret": "s" * 20, "headers": {"Authorization": "Bearer x"}})
    n.save()
    settings.YUQING_ENCRYPTION_KEY = "new-key-material"
    with pytest.raises(CommandError, match="do not open"):
        call_command("keys", "check", stdout=io.StringIO())
    out = io.StringIO()
    call_command("keys", "rotate", "--old-key", "old-key-material", stdout=out)
    assert "re-encrypted 2" in out.getvalue()
    n = Notifier.objects.get(pk=n.pk)
    assert n.secrets()["headers"] == {"Authorization": "Bearer x"} and n.proxy == "http://u:p@proxy:3128"
    call_command("keys", "check", stdout=io.StringIO())
