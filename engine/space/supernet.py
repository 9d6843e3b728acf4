"""The MobileNetV2 weight-sharing supernet (Keras 3 layers; run on JAX by the evaluator).

Width by channel masks, depth by block gates, both passed as inputs, so every candidate of a
data configuration runs through one compiled function (FBNetV2-style masking, Wan et al. 2020):
- a mask multiplies a layer's output after batch norm and activation, so a masked channel is
  exactly zero; channel i is kept when i < make_divisible(base x width);
- a gated-off block adds nothing to its residual input, so it is an identity (only blocks
  after the first of a stage can be gated: the first changes shape);
- the classifier attaches to the last kept stage: each possible exit (stages 2-7) has its own
  pooled head, selected by a one-hot input.
The supernet's own width is the largest alpha searched (times the mono factor for mono). It
holds only what some candidate of its depth choices can use: the blocks up to each stage's
largest depth and the heads of the exits some valid depth vector takes (a smaller network
compiles and runs faster, and no weight trains that no candidate has).
"""

from __future__ import annotations

from typing import Any, Sequence

import jax
import numpy as np

from engine.backend import load_keras
from engine.space.depthwise import depthwise_conv
from engine.space.mobilenet_arch import (BLOCKS, LAST_CHANNELS, SEARCHABLE_STAGES, STEM_CHANNELS,
                                         exit_stage, has_residual, kept_blocks, make_divisible,
                                         stage_blocks)
from engine.space.mobilenet_genes import valid_depths

keras = load_keras()
ops = keras.ops

BN_MOMENTUM = 0.9  # short fine-tunes: moving statistics must follow a subnet within ~20 steps


class HostInitializer(keras.initializers.Initializer):
    """Initial values made by numpy on the host: unlike Keras's initializers, no XLA program is
    compiled per weight shape (about 5 s for a MobileNetV2, and most of a small run's compiles).

    'glorot_uniform' is Keras's default for kernels, U(-l, l) with l = sqrt(6 / (fan_in + fan_out)),
    drawn from the network's generator in build order (so a seed gives the same network);
    'zeros' and 'ones' are the batch-norm and bias defaults. A network whose weights are copied
    in right after it is built (a narrow copy of a supernet) takes zeros throughout.
    """

    def __init__(self, kind: str, rng: np.random.Generator | None = None):
        self.kind, self.rng = kind, rng

    def __call__(self, shape, dtype=None):
        # handed over as a device array: Keras would turn a numpy array into one with
        # jnp.asarray, which compiles a program per shape (JAX 0.10); device_put only copies
        return jax.device_put(self.values(shape, dtype or "float32"))

    def values(self, shape, dtype: str) -> np.ndarray:
        if self.kind == "ones":
            return np.ones(shape, dtype)
        if self.kind == "zeros" or self.rng is None:
            return np.zeros(shape, dtype)
        receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
        fan_in, fan_out = shape[-2] * receptive, shape[-1] * receptive
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return self.rng.uniform(-limit, limit, shape).astype(dtype)

    def get_config(self) -> dict:
        return {"kind": self.kind}


DEFAULT_INITIALIZERS = {"kernel_initializer": "glorot_uniform", "depthwise_initializer": "glorot_uniform",
             "bias_initializer": "zeros", "beta_initializer": "zeros", "moving_mean_initializer": "zeros",
             "gamma_initializer": "ones", "moving_variance_initializer": "ones"}


def initializers(rng: np.random.Generator | None, *names: str) -> dict:
    """Host initializers for the named arguments: Keras's defaults drawn from `rng`, or zeros
    for every weight when `rng` is None (placeholders, overwritten right after the build)."""
    return {name: HostInitializer(DEFAULT_INITIALIZERS[name] if rng is not None else "zeros", rng) for name in names}


def conv_bn(filters: int, kernel: int, stride: int, name: str, depthwise: bool = False,
            rng: np.random.Generator | None = None) -> list:
    conv = (keras.layers.DepthwiseConv2D(kernel, stride, padding="same", use_bias=False, name=f"{name}_conv",
                                         **initializers(rng, "depthwise_initializer"))
            if depthwise else
            keras.layers.Conv2D(filters, kernel, stride, padding="same", use_bias=False, name=f"{name}_conv",
                                **initializers(rng, "kernel_initializer")))
    bn = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn", **initializers(
        rng, "beta_initializer", "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer"))
    return [conv, bn]


class MaskedConvBN(keras.layers.Layer):
    """Convolution (or depthwise) + batch norm + optional ReLU6, then a channel mask."""

    def __init__(self, filters: int, kernel: int, stride: int, depthwise: bool = False,
                 activation: bool = True, rng: np.random.Generator | None = None, **kwargs):
        super().__init__(**kwargs)
        self.filters, self.kernel, self.stride = filters, kernel, stride
        self.depthwise, self.activation = depthwise, activation
        self.conv, self.bn = conv_bn(filters, kernel, stride, self.name, depthwise, rng)

    def build(self, input_shape):
        self.conv.build(input_shape)
        self.bn.build(self.conv.compute_output_shape(input_shape))

    def call(self, x, mask, training=False):
        if self.depthwise:  # same kernel as self.conv, computed the fast way (see depthwise.py)
            x = depthwise_conv(x, self.conv.kernel, self.stride)
        elif self.kernel == 1 and self.stride == 1:  # a pointwise convolution is a matrix product
            x = ops.matmul(x, self.conv.kernel[0, 0])
        else:
            x = self.conv(x)
        x = self.bn(x, training=training)
        if self.activation:
            x = ops.relu6(x)
        return x * mask

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel": self.kernel, "stride": self.stride,
                "depthwise": self.depthwise, "activation": self.activation}


# Every block of every searchable stage (stage 7 includes the final 1x1 convolution).
FULL_DEPTH_CHOICES = tuple(tuple(range(len(stage_blocks(stage)) + 1)) for stage in SEARCHABLE_STAGES)


class MobileNetV2Supernet(keras.Model):
    """MobileNetV2 of width `width` with masks, gates and one head per possible exit stage.

    Args:
        input_shape: (height, width, channels) of one input.
        width: the supernet's width multiplier (largest alpha, times the mono factor).
        classes: number of output classes.
        depth_choices: blocks allowed per searchable stage (stages 3-7); default: all.
    """

    def __init__(self, input_shape: Sequence[int], width: float, classes: int,
                 depth_choices: Sequence[Sequence[int]] | None = None, placeholder_weights: bool = False,
                 init_seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        # weights drawn on the host from `init_seed` (zeros when they are placeholders, to be overwritten)
        p = None if placeholder_weights else np.random.default_rng(init_seed)
        self.input_dims, self.width, self.classes = tuple(input_shape), width, classes
        self.depth_choices = tuple(tuple(int(d) for d in c) for c in (depth_choices or FULL_DEPTH_CHOICES))
        self.block_indices = kept_blocks([max(c) for c in self.depth_choices])
        self.exit_stages = sorted({exit_stage(d) for d in valid_depths(self.depth_choices)})
        self.stem = MaskedConvBN(make_divisible(STEM_CHANNELS * width), 3, 2, rng=p, name="Conv1")
        self.blocks = []
        channels = self.stem.filters
        for index in self.block_indices:
            expansion, base, stride, _ = BLOCKS[index]
            layers = {}
            if expansion != 1:
                layers["expand"] = MaskedConvBN(channels * expansion, 1, 1, rng=p, name=f"block_{index}_expand")
            layers["depthwise"] = MaskedConvBN(0, 3, stride, depthwise=True, rng=p,
                                               name=f"block_{index}_depthwise")
            out = make_divisible(base * width)
            layers["project"] = MaskedConvBN(out, 1, 1, activation=False, rng=p, name=f"block_{index}_project")
            self.blocks.append(layers)
            channels = out
        self.last = (MaskedConvBN(make_divisible(LAST_CHANNELS * width), 1, 1, rng=p, name="Conv_1")
                     if 7 in self.exit_stages else None)
        self.heads = [keras.layers.Dense(classes, name=f"head_stage{stage}",
                                          **initializers(p, "kernel_initializer", "bias_initializer"))
                       for stage in self.exit_stages]
        self.build((None, *self.input_dims))

    def block(self, index: int) -> dict:
        """The layers of block `index` (of BLOCKS)."""
        return self.blocks[self.block_indices.index(index)]

    def exit_block(self, stage: int) -> int:
        """The last built block of a stage (< 7): where that stage's exit reads its features."""
        return max(i for i in self.block_indices if BLOCKS[i][3] == stage)

    def build(self, input_shape):
        shape = tuple(input_shape)
        self.stem.build(shape)
        shape = self.stem.conv.compute_output_shape(shape)
        for layers in self.blocks:
            for layer in layers.values():
                layer.build(shape)
                shape = layer.conv.compute_output_shape(shape)
        if self.last is not None:
            self.last.build(shape)
        for head, channels in zip(self.heads, self.exit_channels()):
            head.build((None, channels))
        self.built = True

    def exit_channels(self) -> list[int]:
        return [self.last.filters if stage == 7 else self.block(self.exit_block(stage))["project"].filters
                for stage in self.exit_stages]

    def call(self, x, masks: dict[str, Any], gates, exit_onehot, training=False):
        x = self.stem(x, masks["Conv1"], training=training)
        exits = {self.exit_block(stage) for stage in self.exit_stages if stage != 7}
        features = []
        for index, layers in zip(self.block_indices, self.blocks):
            block_in = x
            if "expand" in layers:
                x = layers["expand"](x, masks[f"block_{index}_expand"], training=training)
            x = layers["depthwise"](x, masks[f"block_{index}_expand" if "expand" in layers else "Conv1"],
                                    training=training)
            x = layers["project"](x, masks[f"block_{index}_project"], training=training)
            if has_residual(index):
                x = block_in + gates[index] * x
            if index in exits:
                features.append(x)
        if self.last is not None:
            x = self.last(x, masks["Conv_1"], training=training)
            features.append(x)
        logits = [head(ops.mean(f, axis=(1, 2))) for head, f in zip(self.heads, features)]
        return sum(exit_onehot[i] * logit for i, logit in enumerate(logits))

    def get_config(self):
        return {**super().get_config(), "input_shape": list(self.input_dims), "width": self.width,
                "classes": self.classes, "depth_choices": [list(c) for c in self.depth_choices]}


def candidate_inputs(model: MobileNetV2Supernet, depths: Sequence[int], width: float) -> dict[str, Any]:
    """Masks, gates and exit selector of a candidate, as numpy arrays (the jitted step's inputs)."""
    masks = {"Conv1": _mask(model.stem.filters, make_divisible(STEM_CHANNELS * width))}
    channels = masks["Conv1"].sum()
    for index, layers in zip(model.block_indices, model.blocks):
        expansion, base, _, _ = BLOCKS[index]
        if "expand" in layers:
            masks[f"block_{index}_expand"] = _mask(layers["expand"].filters, int(channels) * expansion)
        channels = make_divisible(base * width)
        masks[f"block_{index}_project"] = _mask(layers["project"].filters, channels)
    if model.last is not None:
        masks["Conv_1"] = _mask(model.last.filters, make_divisible(LAST_CHANNELS * width))
    kept = set(kept_blocks(depths))
    gates = np.array([1.0 if i in kept else 0.0 for i in range(len(BLOCKS))], np.float32)
    exit_onehot = np.array([1.0 if s == exit_stage(depths) else 0.0 for s in model.exit_stages], np.float32)
    return {"masks": masks, "gates": gates, "exit_onehot": exit_onehot}


def _mask(size: int, kept: int) -> np.ndarray:
    return (np.arange(size) < min(kept, size)).astype(np.float32)
