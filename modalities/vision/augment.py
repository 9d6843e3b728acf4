"""Training augmentation on batches, in JAX: the Wake Vision reference's inception crop
(0.6-1.0 of the area, aspect 3/4-4/3) resized back to the input size, and a horizontal flip.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

AREA = (0.6, 1.0)
ASPECT = (3 / 4, 4 / 3)


def _crop_one(image: jax.Array, key: jax.Array) -> jax.Array:
    size = image.shape[0]
    k_area, k_aspect, k_y, k_x, k_flip = jax.random.split(key, 5)
    area = jax.random.uniform(k_area, (), minval=AREA[0], maxval=AREA[1])
    aspect = jnp.exp(jax.random.uniform(k_aspect, (), minval=jnp.log(ASPECT[0]), maxval=jnp.log(ASPECT[1])))
    crop_h = jnp.minimum(size * jnp.sqrt(area / aspect), size)
    crop_w = jnp.minimum(size * jnp.sqrt(area * aspect), size)
    top = jax.random.uniform(k_y, ()) * (size - crop_h)
    left = jax.random.uniform(k_x, ()) * (size - crop_w)
    scale = jnp.stack([size / crop_h, size / crop_w])
    translation = -jnp.stack([top, left]) * scale
    out = jax.image.scale_and_translate(image, image.shape, (0, 1), scale, translation,
                                        method="linear", antialias=True)
    return jnp.where(jax.random.uniform(k_flip, ()) < 0.5, out[:, ::-1], out)


def random_crop_flip(images: jax.Array, key: jax.Array) -> jax.Array:
    """Augments a batch [B, H, W, C] (H == W); each image gets its own crop and flip."""
    keys = jax.random.split(key, images.shape[0])
    return jax.vmap(_crop_one)(images, keys)
