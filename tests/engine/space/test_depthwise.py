"""The fast depthwise convolution computes what keras.layers.DepthwiseConv2D computes: forward,
input gradient and kernel gradient, for every stride, dilation and kernel size the supernet
and the DARTS cells use, at a batch that makes the kernel gradient accumulate over several
chunks."""

from __future__ import annotations

import numpy as np
import pytest

from engine.backend import load_keras
from engine.space.depthwise import SCAN_CHUNK, depthwise_conv

EPS = float(np.finfo(np.float32).eps)


def close(ours, theirs, terms: int) -> None:
    """Equal up to float32 sums of `terms` terms taken in another order: sqrt(terms) x eps of
    the magnitudes summed, with high probability (Higham and Mary 2019), x 8 for safety."""
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape
    bound = 8 * np.sqrt(terms) * EPS * np.abs(theirs).max()
    assert np.abs(ours - theirs).max() <= bound, (np.abs(ours - theirs).max(), bound)


# (kernel, stride, dilation, batch, height, width): the supernet's 3x3 / stride 1-2, DARTS's 5x5
# stride 2 (reduction cells) and dilated 3x3 / 5x5; odd sizes; a batch of several scan chunks
CASES = [(3, 1, 1, 2 * SCAN_CHUNK, 9, 8), (3, 2, 1, 2 * SCAN_CHUNK, 9, 8), (5, 2, 1, 2 * SCAN_CHUNK, 11, 7),
         (3, 1, 2, 2 * SCAN_CHUNK, 10, 9), (5, 1, 2, 3, 9, 7)]


@pytest.mark.parametrize("kernel,stride,dilation,batch,height,width", CASES)
def test_forward_and_both_gradients_equal_the_keras_layer(kernel, stride, dilation, batch, height, width):
    import jax

    layer = load_keras().layers.DepthwiseConv2D(kernel, stride, padding="same", dilation_rate=dilation,
                                                use_bias=False)
    rng = np.random.default_rng(kernel * 100 + stride * 10 + dilation)
    x = rng.normal(size=(batch, height, width, 3)).astype(np.float32)
    reference = np.asarray(layer(x))
    weights = layer.kernel.value
    close(depthwise_conv(x, weights, stride, dilation), reference, kernel * kernel)
    target = rng.normal(size=reference.shape).astype(np.float32)  # a loss whose gradient is not the output

    def loss(fn):
        return lambda k, i: (fn(k, i) * target).sum()

    ours = jax.grad(loss(lambda k, i: depthwise_conv(i, k, stride, dilation)), argnums=(0, 1))(weights, x)
    theirs = jax.grad(loss(lambda k, i: layer.stateless_call([k], [], i)[0]), argnums=(0, 1))(weights, x)
    close(ours[0], theirs[0], batch * reference.shape[1] * reference.shape[2])  # kernel: sums over the batch
    close(ours[1], theirs[1], kernel * kernel)  # input: sums over the taps
