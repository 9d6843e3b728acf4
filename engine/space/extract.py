"""Subnet extraction: a candidate as a standalone, genuinely narrow Keras model.

Weights are sliced from the supernet (the first kept channels of every layer), gated-off
blocks are dropped and the head of the exit stage is kept, so the model computes exactly what
the masked supernet computes for that candidate, with stock layers only (Conv2D,
DepthwiseConv2D, BatchNormalization, ReLU, Add, GlobalAveragePooling2D, Dense). This is the
model that is counted, saved as .keras and exported.
"""

from __future__ import annotations

from typing import Sequence

from engine.backend import load_keras
from engine.space.mobilenet_arch import (BLOCKS, LAST_CHANNELS, STEM_CHANNELS,
                                         exit_stage, has_residual, kept_blocks, make_divisible)
from engine.space.supernet import (BN_MOMENTUM, DEFAULT_INITIALIZERS, MaskedConvBN, MobileNetV2Supernet,
                                   initializers)

keras = load_keras()

_DENSE = ("kernel_initializer", "bias_initializer")
_BN = ("beta_initializer", "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer")


def _copied(layer_class, initializer_names: tuple[str, ...], x, weights: list, *args, **kwargs):
    """`layer_class(*args, **kwargs)` applied to `x`, with `weights` copied in.

    Built with host zeros as placeholders, so building compiles no initialiser program per
    weight shape; then its initialisers are set back to Keras's defaults, so the saved model
    names only stock objects (it loads without danas)."""
    layer = layer_class(*args, **kwargs, **initializers(None, *initializer_names))
    y = layer(x)
    layer.set_weights(weights)
    for name in initializer_names:
        setattr(layer, name, keras.initializers.get(DEFAULT_INITIALIZERS[name]))
    return y


def extract_subnet(supernet: MobileNetV2Supernet, depths: Sequence[int], width: float,
                   name: str = "subnet", input_shape: Sequence[int] | None = None) -> keras.Model:
    """The narrow model of the candidate (depths, width), with the supernet's current weights.

    `input_shape` is the candidate's own input (default: the supernet's). A supernet shared by
    several input sizes takes any size; a 1-channel input that the supernet took repeated to its
    channels gets a 1-channel stem whose kernel is the sum over those channels (the same function).
    """
    input_dims = tuple(input_shape or supernet.input_dims)
    inputs = keras.Input(input_dims, name="input")
    channels_in = input_dims[-1]
    stem_out = make_divisible(STEM_CHANNELS * width)
    x = _conv_bn(inputs, supernet.stem, channels_in, stem_out,
                 fold_inputs=channels_in != supernet.input_dims[-1])
    channels = stem_out
    for index in kept_blocks(depths):
        expansion, base, _, _ = BLOCKS[index]
        layers = supernet.block(index)
        block_in = x
        if "expand" in layers:
            x = _conv_bn(x, layers["expand"], channels, channels * expansion)
            channels *= expansion
        x = _conv_bn(x, layers["depthwise"], channels, channels)
        out = make_divisible(base * width)
        x = _conv_bn(x, layers["project"], channels, out)
        channels = out
        if has_residual(index):
            x = keras.layers.Add(name=f"block_{index}_add")([block_in, x])
    stage = exit_stage(depths)
    if stage == 7:
        last = make_divisible(LAST_CHANNELS * width)
        x = _conv_bn(x, supernet.last, channels, last)
        channels = last
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    head = supernet.heads[supernet.exit_stages.index(stage)]
    kernel, bias = (v.numpy() for v in head.weights)
    outputs = _copied(keras.layers.Dense, _DENSE, x, [kernel[:channels], bias], supernet.classes, name="logits")
    return keras.Model(inputs, outputs, name=name)


def _conv_bn(x, source: MaskedConvBN, cin: int, cout: int, fold_inputs: bool = False):
    name = source.name
    kernel = source.conv.kernel.numpy()
    if fold_inputs:  # one input channel repeated: the taps of all input channels add up
        if cin != 1:
            raise ValueError(f"only a 1-channel input folds into the supernet's stem; received {cin} channels")
        kernel = kernel.sum(axis=2, keepdims=True)
    if source.depthwise:
        x = _copied(keras.layers.DepthwiseConv2D, ("depthwise_initializer",), x, [kernel[:, :, :cout, :]],
                    source.kernel, source.stride, padding="same", use_bias=False, name=f"{name}_conv")
    else:
        x = _copied(keras.layers.Conv2D, ("kernel_initializer",), x, [kernel[:, :, :cin, :cout]], cout,
                    source.kernel, source.stride, padding="same", use_bias=False, name=f"{name}_conv")
    x = _copied(keras.layers.BatchNormalization, _BN, x, [w.numpy()[:cout] for w in source.bn.weights],
                momentum=BN_MOMENTUM, name=f"{name}_bn")
    if source.activation:
        x = keras.layers.ReLU(max_value=6.0, name=f"{name}_relu")(x)
    return x
