"""Format policy for drafts: body length, images, videos and repost sources, with configurable limits."""

import io

from PIL import Image

from yuqing.textcheck import Draft, FormatPolicy, MediaFile, check_format


def image(fmt="JPEG", size=(900, 500), name="a.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format=fmt)
    return MediaFile(name=name, content=buffer.getvalue())


def rules(draft, policy=None):
    return [f.rule_id for f in check_format(draft, policy)]


def test_a_draft_within_the_policy_has_no_findings():
    draft = Draft(body="字" * 1200 + " \n", images=[image()], videos=[MediaFile("v.mp4", content=b"0" * 100)])
    assert rules(draft) == []


def test_body_over_1200_characters_is_flagged():
    assert rules(Draft(body="字" * 1201)) == ["format.body_length"]


def test_images_must_be_900_by_500_jpeg():
    assert rules(Draft(images=[image(fmt="PNG", name="a.png")])) == ["format.image_format"]
    assert rules(Draft(images=[image(size=(800, 600))])) == ["format.image_size"]
    assert rules(Draft(images=[MediaFile("x.jpg", content=b"not an image")])) == ["format.image_unreadable"]


def test_videos_must_be_small_mp4_flv_or_f4v(tmp_path):
    big = tmp_path / "big.flv"
    with big.open("wb") as fh:
        fh.truncate(20 * 1024 * 1024 + 1)
    assert rules(Draft(videos=[MediaFile.from_path(big)])) == ["format.video_size"]
    assert rules(Draft(videos=[MediaFile("clip.avi", content=b"0")])) == ["format.video_type"]
    assert rules(Draft(videos=[MediaFile("clip.F4V", content=b"0")])) == []


def test_repost_must_name_a_source():
    assert rules(Draft(body="转载", is_repost=True)) == ["format.repost_source"]
    assert rules(Draft(body="转载", is_repost=True, source="教育部官网")) == []


def test_limits_are_configurable():
    policy = FormatPolicy(max_body_chars=10, image_formats=("PNG",), image_size=(1000, 1000), exact_image_size=False,
                          max_video_bytes=10, video_extensions=("mov",), require_repost_source=False)
    draft = Draft(body="字" * 11, images=[image(fmt="PNG", size=(640, 480))],
                  videos=[MediaFile("a.mov", content=b"0" * 11)], is_repost=True)
    assert rules(draft, policy) == ["format.body_length", "format.video_size"]
