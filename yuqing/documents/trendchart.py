"""A small bar chart of counts per day as PNG, drawn with Pillow: no network, no browser, no plotting library.

The chart carries only digits (dates and counts); its title and legend are the document's own text, so it
needs no Chinese font. Two series at most (e.g. mentions and negative mentions), drawn side by side.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

COLOURS = ((0x2F, 0x6F, 0xB5), (0xD9, 0x48, 0x3B))
WIDTH, HEIGHT = 1400, 560
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 90, 30, 30, 80


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType sizes
        return ImageFont.load_default()


def _nice_top(value: int) -> int:
    """The axis maximum: the next 1, 2 or 5 × 10ⁿ at or above the largest bar (at least 1)."""
    value = max(int(value), 1)
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def bar_chart_png(labels: Sequence[str], series: Sequence[Sequence[int]]) -> bytes:
    """`labels` one per bar group (e.g. "12-01"); `series` one or two lists of counts as long as `labels`."""
    if not series or len(series) > len(COLOURS):
        raise ValueError("one or two series")
    if any(len(s) != len(labels) for s in series):
        raise ValueError("each series needs one count per label")
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    small, tiny = _font(22), _font(18)
    left, right, top, bottom = MARGIN_LEFT, WIDTH - MARGIN_RIGHT, MARGIN_TOP, HEIGHT - MARGIN_BOTTOM
    peak = _nice_top(max((max(s) if s else 0) for s in series))
    steps = next(k for k in (4, 5, 2, 1) if peak % k == 0)  # grid lines at whole numbers only
    for i in range(steps + 1):  # horizontal grid lines with their values
        value = peak * i // steps
        y = bottom - (bottom - top) * i / steps
        draw.line([(left, y), (right, y)], fill=(0xDD, 0xDD, 0xDD), width=1)
        text = str(value)
        draw.text((left - 12 - draw.textlength(text, font=small), y - 12), text, fill="black", font=small)
    draw.line([(left, top), (left, bottom), (right, bottom)], fill="black", width=2)
    n = max(len(labels), 1)
    slot = (right - left) / n
    bar = max(slot * 0.8 / len(series), 1)
    every = max(1, round(n / 16))  # at most ~16 date labels, so they never overlap
    for i, label in enumerate(labels):
        x0 = left + slot * i + slot * 0.1
        for k, values in enumerate(series):
            height = (bottom - top) * values[i] / peak
            if values[i]:
                draw.rectangle([x0 + bar * k, bottom - height, x0 + bar * (k + 1) - 1, bottom], fill=COLOURS[k])
        if i % every == 0:
            width = draw.textlength(label, font=tiny)
            draw.text((left + slot * i + slot / 2 - width / 2, bottom + 10), label, fill="black", font=tiny)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


__all__ = ["COLOURS", "bar_chart_png"]
