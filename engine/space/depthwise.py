"""Depthwise convolution as k x k shifted, per-channel-weighted multiply-adds (keras.ops).

XLA:CPU runs a grouped convolution (keras DepthwiseConv2D) at about 0.8 GFLOP/s; written as
shifts and multiply-adds it fuses into elementwise loops that run several times faster, and its
gradient is plain slicing and sums. It computes what DepthwiseConv2D(padding='same') computes,
with the same kernel layout [k, k, C, 1], so extracted models use the stock layer.
"""

from __future__ import annotations

import math

from engine.backend import keras as _keras

ops = _keras().ops


def same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow's 'same' padding (before, after) along one axis.

    Example:
        >>> same_padding(32, 3, 2), same_padding(33, 3, 2), same_padding(32, 3, 1)
        ((0, 1), (1, 1), (1, 1))
    """
    total = max(kernel - (size % stride or stride), 0)
    return total // 2, total - total // 2


def depthwise_conv(x, kernel, stride: int, dilation: int = 1):
    """x [B, H, W, C] convolved per channel with kernel [k, k, C, 1], 'same' padding.

    With dilation d the taps are d apart (kernel extent (k - 1) d + 1), as
    DepthwiseConv2D(dilation_rate=d) computes; Keras allows dilation only at stride 1.
    """
    k = kernel.shape[0]
    extent = (k - 1) * dilation + 1
    height, width = x.shape[1], x.shape[2]
    x = ops.pad(x, [[0, 0], list(same_padding(height, extent, stride)), list(same_padding(width, extent, stride)),
                    [0, 0]])
    out_h, out_w = math.ceil(height / stride), math.ceil(width / stride)
    out = None
    for i in range(k):
        for j in range(k):
            top, left = i * dilation, j * dilation
            patch = x[:, top:top + stride * (out_h - 1) + 1:stride, left:left + stride * (out_w - 1) + 1:stride, :]
            term = patch * kernel[i, j, :, 0]
            out = term if out is None else out + term
    return out
