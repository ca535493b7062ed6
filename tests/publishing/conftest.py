"""Fixtures for publishing: a draft factory and a way to walk a draft through its chain."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def channel(world):
    """The school's active WeChat official account."""
    from yuqing.registry.actions import do_register_channel

    return do_register_channel(world.school, acting_user=world.school_admin, kind="wechat_official",
                               name="第一中学公众号", account_id="gh_no1", responsible=world.publicity)


@pytest.fixture
def make_draft(world, channel):
    from yuqing.publishing.actions import do_create_draft

    def _make(author=None, *, title="校园开放日活动通知", body="<p>本周六上午九点举行校园开放日活动，欢迎家长参加。</p>",
              organization=None, **kwargs):
        kwargs.setdefault("channels", [channel.pk])
        return do_create_draft(organization=organization or world.school, acting_user=author or world.editor,
                               title=title, body=body, **kwargs)

    return _make


@pytest.fixture
def decide():
    from yuqing.publishing.actions import do_decide_draft

    def _decide(draft, user, decision="approve", **kwargs):
        if decision in ("reject", "return"):
            kwargs.setdefault("comment", "请修改")
        return do_decide_draft(draft, acting_user=user, decision=decision, **kwargs)

    return _decide
