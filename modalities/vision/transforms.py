"""Image transforms of the Wake Vision reference pipeline (Wake_Vision_Quickstart `pp_ops.py`).

Evaluation: resize the shorter side to the target (area filter when shrinking), centre crop.
Mono is luminance with tf.image.rgb_to_grayscale's weights; inputs scale to [-1, 1] as
keras.applications.mobilenet_v2.preprocess_input does. Training's random crop and flip run
on batches in `augment.py`.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, UnidentifiedImageError

LUMA = np.array([0.2989, 0.5870, 0.1140], dtype=np.float32)


def decode(data: bytes) -> Image.Image | None:
    """The image as RGB, or None if the bytes are not a readable image."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
        return image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def center_square(image: Image.Image, size: int) -> np.ndarray:
    """Resize the shorter side to `size`, then crop the centre `size` x `size` (uint8 RGB)."""
    width, height = image.size
    scale = size / min(width, height)
    new = (max(size, round(width * scale)), max(size, round(height * scale)))
    resample = Image.Resampling.BOX if scale < 1 else Image.Resampling.BILINEAR
    image = image.resize(new, resample=resample)
    left, top = (new[0] - size) // 2, (new[1] - size) // 2
    return np.asarray(image.crop((left, top, left + size, top + size)), dtype=np.uint8)


def resize_batch(images: np.ndarray, size: int) -> np.ndarray:
    """Square uint8 images [N, S, S, 3] resized to [N, size, size, 3]."""
    if images.shape[1] == size:
        return np.array(images)
    return np.stack([center_square(Image.fromarray(image), size) for image in images]) \
        if len(images) else np.zeros((0, size, size, 3), np.uint8)


def to_mono(images: np.ndarray) -> np.ndarray:
    """uint8 RGB [..., 3] to uint8 luminance [..., 1]."""
    luma = images.astype(np.float32) @ LUMA
    return np.clip(np.round(luma), 0, 255).astype(np.uint8)[..., None]


def to_model_input(images: np.ndarray) -> np.ndarray:
    """uint8 pixels to float32 in [-1, 1]."""
    return images.astype(np.float32) / 127.5 - 1.0
