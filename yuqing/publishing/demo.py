"""Demo drafts of 示范县第一中学 at every step of 三审三校 (safe to run again: drafts are found by title)."""

from __future__ import annotations

import io

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from yuqing.orgs.models import Organization

SCHOOL = "no1-middle"
CHANNEL = {"kind": "wechat_official", "name": "示范县第一中学微信公众号", "account_id": "gh_demo_no1middle"}

BODY_SPORTS = ("<h2>秋季运动会圆满落幕</h2><p>10月18日，我校第十二届秋季田径运动会在学校田径场圆满落幕。"
               "全校1200余名师生参加了开幕式。</p><ul><li>打破校纪录3项</li><li>评选体育道德风尚班级8个</li></ul>"
               "<p><strong>校长寄语：</strong>希望同学们把运动场上的拼搏精神带到学习中去。</p>")
BODY_HOLIDAY = ("<p>根据上级通知，现将我校国庆节放假安排通知如下：10月1日至7日放假，共7天。"
                "10月8日（星期三）正常上课。</p><p>请各位家长做好学生假期安全教育。</p>")
BODY_TRIP = "<p>11月5日，七年级全体学生赴县科技馆开展研学活动，同学们参观了航天展厅，动手制作了水火箭。</p>"
BODY_OPEN_DAY = "<p>本周六上午九点举办校园开放日，欢迎家长走进课堂，了解学校教育教学工作。</p>"
BODY_GAMBLING = ("<p>近期有不法分子通过短视频平台诱导学生进入网上赌场，以“充值返利”为名骗取钱财。"
                 "请同学们提高警惕，发现可疑情况及时向班主任报告。</p>")
BODY_PARENTS_V1 = "<p>兹定于本周三下午召开七年级家长会，地点：学校礼堂。</p>"
BODY_PARENTS_V2 = "<p>兹定于本周五下午三点召开七年级家长会，地点：学校报告厅。</p>"
BODY_DRAFT = "<p>本学期我校共开展社团活动46次，参与学生达900人次。（待补充图片）</p>"


def _banner_jpeg() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (900, 500), (24, 92, 160))
    ImageDraw.Draw(img).rectangle([40, 40, 860, 460], outline=(255, 255, 255), width=6)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def _channel(school, people):
    from yuqing.registry.actions import do_register_channel
    from yuqing.registry.models import Channel

    active = Channel.objects.filter(organization=school, status="active")
    existing = (active.filter(kind="wechat_official").order_by("pk").first() or active.order_by("pk").first())
    if existing is not None:
        return existing
    return do_register_channel(school, acting_user=people["school-admin"], responsible=people["publicity"],
                               url="https://mp.weixin.qq.com/", **CHANNEL)


def load() -> str:
    from yuqing.publishing import actions
    from yuqing.publishing.models import Draft

    school = Organization.objects.filter(slug=SCHOOL).first()
    if school is None:
        return ""
    names = ["school-admin", "publicity", "editor", "reviewer1", "reviewer2", "reviewer3"]
    people = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    if len(people) != len(names):
        return ""
    channel = _channel(school, people)
    editor, r1, r2, r3 = people["editor"], people["reviewer1"], people["reviewer2"], people["reviewer3"]
    made = []

    def draft(title, body, category, **kw):
        if Draft.objects.filter(organization=school, title=title).exists():
            return None
        d = actions.do_create_draft(organization=school, acting_user=editor, title=title, body=body,
                                    category=category, channels=[channel.pk], **kw)
        made.append(title)
        return d

    def approve(d, *reviewers, **kw):
        for reviewer in reviewers:
            actions.do_decide_draft(d, acting_user=reviewer, decision="approve", comment="同意", **kw)

    d = draft("秋季运动会圆满落幕", BODY_SPORTS, "school_news")
    if d:
        actions.do_add_attachment(d, acting_user=editor, data=_banner_jpeg(), name="运动会.jpg")
        actions.do_submit_draft(d, acting_user=editor)
        approve(d, r1, r2, r3)
        d.refresh_from_db()
        record = d.publish_record
        actions.do_record_preview(record, acting_user=editor, note="已发送至编辑组微信预览，排版无误")
        actions.do_publish(record, acting_user=editor, url="https://mp.weixin.qq.com/s/demo-sports-2026")
    d = draft("关于国庆节放假安排的通知", BODY_HOLIDAY, "notices")
    if d:
        actions.do_submit_draft(d, acting_user=editor)
        approve(d, r1)
    d = draft("七年级研学活动走进县科技馆", BODY_TRIP, "campus_activities")
    if d:
        actions.do_submit_draft(d, acting_user=editor)
    d = draft("校园开放日邀请函", BODY_OPEN_DAY, "notices")
    if d:
        actions.do_submit_draft(d, acting_user=editor)
        approve(d, r1, r2)
    d = draft("警惕网络赌博诈骗 守护校园平安", BODY_GAMBLING, "notices")
    if d:  # a blocking finding (网上赌场) that the final stage must override with a reason or send back
        actions.do_submit_draft(d, acting_user=editor)
        approve(d, r1, r2)
    d = draft("七年级家长会通知", BODY_PARENTS_V1, "notices")
    if d:  # rejected, corrected and resubmitted
        actions.do_submit_draft(d, acting_user=editor)
        actions.do_decide_draft(d, acting_user=r1, decision="reject", comment="时间和地点与年级组安排不一致，请核实",
                                passage="本周三下午")
        actions.do_update_draft(d, acting_user=editor, body=BODY_PARENTS_V2)
        actions.do_submit_draft(d, acting_user=editor)
    draft("本学期社团活动小结", BODY_DRAFT, "campus_activities")
    if not made:
        return ""
    return _("Publishing demo: %(n)s drafts (%(titles)s)") % {"n": len(made), "titles": "、".join(made)}
