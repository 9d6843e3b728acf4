"""Draws one synthetic person-detection scene (numpy + Pillow, deterministic per seed).

Why the data configuration matters here:
- People and mannequins share one geometry. A mannequin's every part is recoloured into a
  single hue family at exactly the luminance the person's part would have had (ITU-R 601
  weights, as tf.image.rgb_to_grayscale), so in mono a mannequin is drawn from the same
  distribution as a person, and only colour tells them apart.
- Figure height is log-uniform over 18-70 % of the image, so small figures are a few pixels
  tall at 32 px, where lamp posts and signposts look alike.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

LUMA = np.array([0.2989, 0.5870, 0.1140])
SUPERSAMPLE = 2  # draw at 2x, then box-downsample: anti-aliased edges at little cost
MIN_HEIGHT, MAX_HEIGHT = 0.18, 0.70  # figure height as a fraction of the image


@dataclass(frozen=True)
class SceneLabels:
    """What was drawn, for the Wake Vision-style label columns."""

    person: int
    mannequin: int
    height: float  # largest person's height as a fraction of the image (0 if none)
    partial: int   # a person is cut by the border (Wake Vision's body_part)
    exposure: str  # dark | normal_lighting | bright


def luminance(rgb) -> float:
    return float(np.dot(LUMA, rgb))


def recolor_keep_luminance(rgb, hue: float, saturation: float) -> tuple[int, int, int]:
    """A colour of the given hue with the same luminance as `rgb` (desaturated if needed)."""
    target = luminance(rgb)
    base = np.array(colorsys.hsv_to_rgb(hue, saturation, 1.0)) * 255.0
    color = base * (target / max(luminance(base), 1e-6))
    if color.max() > 255.0:  # too bright for this hue: mix with grey of the same luminance
        grey = np.full(3, target)
        k = (255.0 - target) / max(color.max() - target, 1e-6)
        color = grey + k * (color - grey)
    return tuple(int(round(c)) for c in np.clip(color, 0, 255))


def _skin(rng) -> tuple[int, int, int]:
    h, s, v = rng.uniform(0.02, 0.10), rng.uniform(0.25, 0.6), rng.uniform(0.35, 0.95)
    return tuple(int(255 * c) for c in colorsys.hsv_to_rgb(h, s, v))


def _any_color(rng, sat=(0.2, 0.9), val=(0.15, 0.95)) -> tuple[int, int, int]:
    h, s, v = rng.uniform(0, 1), rng.uniform(*sat), rng.uniform(*val)
    return tuple(int(255 * c) for c in colorsys.hsv_to_rgb(h, s, v))


def _person_palette(rng) -> dict[str, tuple[int, int, int]]:
    skin = _skin(rng)
    return {"skin": skin, "shirt": _any_color(rng), "trousers": _any_color(rng, val=(0.1, 0.7)),
            "hair": _any_color(rng, sat=(0.1, 0.8), val=(0.05, 0.5))}


def _mannequin_palette(rng) -> dict[str, tuple[int, int, int]]:
    # Sample exactly as for a person, then move every part to one non-skin hue family.
    palette = _person_palette(rng)
    hue, sat = rng.uniform(0.30, 0.85), rng.uniform(0.55, 0.95)
    return {part: recolor_keep_luminance(c, hue + rng.uniform(-0.03, 0.03), sat)
            for part, c in palette.items()}


def _draw_figure(draw, rng, x, y_feet, height, palette) -> None:
    """A standing humanoid: legs, torso, arms, hands, head and (often) hair."""
    h = height
    head_r = 0.09 * h
    torso_top, torso_bottom = y_feet - 0.80 * h, y_feet - 0.45 * h
    half_w = rng.uniform(0.11, 0.15) * h
    leg_w = max(1.0, 0.08 * h)
    spread = rng.uniform(0.0, 0.10) * h
    for side in (-1, 1):  # legs
        draw.line([(x + side * 0.05 * h, torso_bottom), (x + side * (0.05 * h + spread), y_feet)],
                  fill=palette["trousers"], width=int(round(leg_w)))
    draw.rectangle([x - half_w, torso_top, x + half_w, torso_bottom + 0.03 * h], fill=palette["shirt"])
    arm_w = max(1.0, 0.06 * h)
    for side in (-1, 1):  # arms, hands
        angle = rng.uniform(-0.4, 1.3)
        hand = (x + side * (half_w + 0.30 * h * np.sin(angle + 0.3)),
                torso_top + 0.03 * h + 0.30 * h * np.cos(angle + 0.3))
        draw.line([(x + side * half_w * 0.9, torso_top + 0.03 * h), hand],
                  fill=palette["shirt"], width=int(round(arm_w)))
        hand_r = max(0.8, 0.045 * h)
        draw.ellipse([hand[0] - hand_r, hand[1] - hand_r, hand[0] + hand_r, hand[1] + hand_r],
                     fill=palette["skin"])
    head_y = torso_top - head_r * 1.05
    draw.ellipse([x - head_r, head_y - head_r * 1.15, x + head_r, head_y + head_r * 1.15],
                 fill=palette["skin"])
    if rng.random() < 0.7:  # hair
        draw.chord([x - head_r * 1.05, head_y - head_r * 1.3, x + head_r * 1.05, head_y + head_r * 0.6],
                   180, 360, fill=palette["hair"])


def _draw_distractor(draw, rng, size) -> None:
    """A non-person object that can look like a small figure: post, sign, tree, car, blob."""
    x, base = rng.uniform(0, size), rng.uniform(0.45, 1.0) * size
    h = size * float(np.exp(rng.uniform(np.log(0.1), np.log(0.6))))
    kind = rng.integers(5)
    if kind == 0:  # lamp post with a round top, sometimes skin-coloured
        draw.line([(x, base), (x, base - h)], fill=_any_color(rng, sat=(0, 0.3)), width=max(1, int(0.05 * h)))
        r = 0.08 * h
        top = _skin(rng) if rng.random() < 0.3 else _any_color(rng)
        draw.ellipse([x - r, base - h - r, x + r, base - h + r], fill=top)
    elif kind == 1:  # signpost
        draw.line([(x, base), (x, base - h)], fill=_any_color(rng), width=max(1, int(0.05 * h)))
        draw.rectangle([x - 0.2 * h, base - h, x + 0.2 * h, base - 0.75 * h], fill=_any_color(rng))
    elif kind == 2:  # tree
        draw.rectangle([x - 0.04 * h, base - 0.5 * h, x + 0.04 * h, base], fill=(90, 60, 30))
        draw.ellipse([x - 0.25 * h, base - h, x + 0.25 * h, base - 0.4 * h],
                     fill=_any_color(rng, sat=(0.4, 0.9), val=(0.2, 0.7)))
    elif kind == 3:  # car
        w = 0.9 * h
        draw.rectangle([x - w / 2, base - 0.35 * h, x + w / 2, base - 0.1 * h], fill=_any_color(rng))
        for wx in (x - w / 3, x + w / 3):
            draw.ellipse([wx - 0.1 * h, base - 0.2 * h, wx + 0.1 * h, base], fill=(20, 20, 20))
    else:  # blob
        draw.ellipse([x - 0.3 * h, base - h, x + 0.3 * h, base], fill=_any_color(rng))


def _background(rng, size) -> Image.Image:
    top, bottom = np.array(_any_color(rng, sat=(0, 0.6))), np.array(_any_color(rng, sat=(0, 0.6)))
    ramp = np.linspace(0, 1, size)[:, None, None]
    pixels = (top * (1 - ramp) + bottom * ramp) * np.ones((1, size, 1))
    image = Image.fromarray(pixels.astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(rng.integers(1, 5)):  # buildings, bushes, shadows
        x0, y0 = rng.uniform(-0.2, 1.0, 2) * size
        w, h = rng.uniform(0.1, 0.6, 2) * size
        shape = draw.rectangle if rng.random() < 0.5 else draw.ellipse
        shape([x0, y0, x0 + w, y0 + h], fill=_any_color(rng, sat=(0, 0.5)))
    return image


def draw_scene(seed: int, index: int, size: int) -> tuple[np.ndarray, SceneLabels]:
    """One RGB uint8 image of `size` x `size` and what it shows; same (seed, index), same image."""
    rng = np.random.default_rng([seed, index])
    big = size * SUPERSAMPLE
    image = _background(rng, big)
    draw = ImageDraw.Draw(image)
    person = int(rng.random() < 0.5)
    mannequin = int(rng.random() < (0.25 if person else 0.5))
    figures = [("person", _person_palette)] * (person * int(rng.integers(1, 3)))
    figures += [("mannequin", _mannequin_palette)] * mannequin
    rng.shuffle(figures)
    items = [("distractor", None)] * int(rng.integers(0, 3)) + figures
    order = rng.permutation(len(items))
    heights, partial = [], 0
    for i in order:
        kind, palette_fn = items[i]
        if kind == "distractor":
            _draw_distractor(draw, rng, big)
            continue
        h = big * float(np.exp(rng.uniform(np.log(MIN_HEIGHT), np.log(MAX_HEIGHT))))
        x = rng.uniform(0.02, 0.98) * big
        feet = rng.uniform(0.55, 1.08) * big
        _draw_figure(draw, rng, x, feet, h, palette_fn(rng))
        if kind == "person":
            heights.append(h / big)
            partial |= int(feet > big or x < 0.12 * h or x > big - 0.12 * h)
    image = image.reduce(SUPERSAMPLE)
    if rng.random() < 0.3:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.8)))
    pixels = np.asarray(image, dtype=np.float32)
    exposure = rng.choice(["dark", "normal_lighting", "normal_lighting", "bright"])
    gain = {"dark": rng.uniform(0.35, 0.6), "normal_lighting": rng.uniform(0.85, 1.1),
            "bright": rng.uniform(1.15, 1.35)}[exposure]
    pixels = pixels * gain + rng.normal(0, rng.uniform(1.5, 5.0), pixels.shape)
    labels = SceneLabels(person, mannequin, max(heights, default=0.0), partial, str(exposure))
    return np.clip(pixels, 0, 255).astype(np.uint8), labels
