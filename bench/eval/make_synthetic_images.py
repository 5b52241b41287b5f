#!/usr/bin/python3
"""Generates the synthetic test images in tests/data/images/synthetic/.

Each image isolates one thing that is hard for an image watermark: flat areas
(no texture to hide a mark in), smooth gradients (banding shows any change),
text-like graphics (sharp edges on a flat background), pure noise (all
texture), a half-flat / half-textured mix, and odd sizes and aspect ratios.
Deterministic (fixed seeds): re-running it rewrites the same pixels.

Needs Debian's python3-numpy and python3-pil; run with the system Python:
    /usr/bin/python3 bench/eval/make_synthetic_images.py [OUT_DIR]
"""

import os
import sys

import numpy as np
from PIL import Image


def flat_gray():
    """Uniform mid gray, one channel: no texture at all."""
    return np.full((240, 320), 118, np.uint8)


def gradient():
    """Smooth RGB ramps: luminance left to right, hue top to bottom."""
    h, w = 384, 512
    x = np.linspace(0.0, 1.0, w)[None, :]
    y = np.linspace(0.0, 1.0, h)[:, None]
    r = 30 + 200 * x * (1 - 0.5 * y)
    g = 40 + 170 * x + 20 * y
    b = 60 + 120 * (1 - x) * y + 60 * x
    return np.clip(np.rint(np.stack([r, g, b], -1)), 0, 255).astype(np.uint8)


def text_like():
    """Black glyph-like strokes in lines of 'words' on a white page."""
    rng = np.random.default_rng(3)
    h, w = 400, 640
    img = np.full((h, w), 255, np.uint8)
    y = 24
    while y + 22 < h - 16:
        x = 24
        while x < w - 40:
            word = rng.integers(2, 9)
            for _ in range(word):
                gw = int(rng.integers(6, 11))
                if x + gw >= w - 24:
                    break
                cell = np.zeros((18, gw), bool)
                # One to three strokes per glyph: verticals, horizontals,
                # diagonals and an occasional bowl, two pixels thick.
                for _ in range(int(rng.integers(1, 4))):
                    kind = rng.integers(0, 4)
                    if kind == 0:
                        c = int(rng.integers(0, gw - 1))
                        top = int(rng.integers(0, 6))
                        cell[top:18, c:c + 2] = True
                    elif kind == 1:
                        r = int(rng.integers(4, 17))
                        cell[r:r + 2, :] = True
                    elif kind == 2:
                        for t in range(18):
                            c = int(round(t * (gw - 2) / 17))
                            cell[t, c:c + 2] = True
                    else:
                        yy, xx = np.mgrid[0:18, 0:gw]
                        d = np.hypot((yy - 12) / 5.5, (xx - (gw - 1) / 2) / (gw / 2.2))
                        cell |= (d > 0.75) & (d < 1.15)
                img[y:y + 18, x:x + gw][cell] = 0
                x += gw + 2
            x += int(rng.integers(6, 12))
        y += 30
    return np.repeat(img[:, :, None], 3, axis=2)


def uniform_noise():
    """Independent uniform samples in [0, 255], one channel: all texture."""
    rng = np.random.default_rng(4)
    return rng.integers(0, 256, (256, 256), dtype=np.uint8)


def tiled_texture(h, w, seed, amplitude):
    """Zero-mean noise on a 32 x 32 tile repeated over h x w: the local
    statistics of a fine texture, but cheap to store (deflate finds the
    repeats), which keeps the folder small."""
    rng = np.random.default_rng(seed)
    tile = rng.integers(-amplitude, amplitude + 1, (32, 32))
    reps = (h // 32 + 1, w // 32 + 1)
    return np.tile(tile, reps)[:h, :w]


def flat_texture_mix():
    """Left half a flat colour, right half a colour with a +-24 texture."""
    h, w = 256, 384
    img = np.empty((h, w, 3), np.uint8)
    img[:, : w // 2] = (96, 140, 180)
    tex = tiled_texture(h, w - w // 2, 5, 24)
    base = np.array([150, 120, 90])
    img[:, w // 2 :] = np.clip(base[None, None, :] + tex[:, :, None], 0, 255)
    return img


def shapes(h, w, seed):
    """Overlapping discs and rectangles, flat or textured, over a diagonal
    gradient: a layout with natural-image-like variety in local texture, at
    any size."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    t = (xx / w + yy / h) / 2
    img = np.stack([70 + 120 * t, 90 + 80 * t, 160 - 90 * t], -1)
    tex = tiled_texture(h, w, seed + 100, 20)
    for i in range(14):
        color = rng.uniform(20, 235, 3)
        if rng.random() < 0.5:
            cx, cy = rng.uniform(0, w), rng.uniform(0, h)
            rad = rng.uniform(0.05, 0.25) * min(h, w)
            mask = (xx - cx) ** 2 + (yy - cy) ** 2 < rad**2
        else:
            x0, y0 = rng.uniform(0, w), rng.uniform(0, h)
            mask = (
                (xx >= x0)
                & (xx < x0 + rng.uniform(0.1, 0.4) * w)
                & (yy >= y0)
                & (yy < y0 + rng.uniform(0.1, 0.4) * h)
            )
        img[mask] = color
        if i % 3 == 0:
            img[mask] += tex[mask][:, None]
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


IMAGES = {
    "flat_gray.png": flat_gray,
    "gradient.png": gradient,
    "text_like.png": text_like,
    "uniform_noise.png": uniform_noise,
    "flat_texture_mix.png": flat_texture_mix,
    "odd_257x263.png": lambda: shapes(263, 257, 6),
    "wide_1000x300.png": lambda: shapes(300, 1000, 7),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "..", "tests", "data", "images", "synthetic")
    out = os.path.normpath(sys.argv[1] if len(sys.argv) > 1 else default)
    os.makedirs(out, exist_ok=True)
    total = 0
    for name, make in IMAGES.items():
        pixels = make()
        path = os.path.join(out, name)
        Image.fromarray(pixels).save(path, optimize=True)
        size = os.path.getsize(path)
        total += size
        print(f"{path}: {pixels.shape[1]}x{pixels.shape[0]}, {size} bytes")
    print(f"total {total} bytes")


if __name__ == "__main__":
    main()
