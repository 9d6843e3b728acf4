"""MobileNetV2 as data: the layers of a candidate, their shapes, parameters and MACs.

Pure Python, shared by the hardware estimator (no JAX) and the Keras supernet, so that what
is estimated is exactly what is built. Blocks follow keras.applications.MobileNetV2 (Sandler
et al. 2018, table 2): Conv1 3x3/2 to 32 channels; block 0 a depthwise block without
expansion to 16; blocks 1-16 inverted residuals with expansion 6; Conv_1 1x1 to 1280.
Every width is make_divisible(base * width, 8) as in Keras; unlike keras.applications, Conv_1
scales with width too (as the reference Data-Aware NAS masks it), which matters on a 2 MB
microcontroller. Convolutions use 'same' padding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

# (expansion, output channels, stride, stage) for blocks 0..16.
BLOCKS = (
    (1, 16, 1, 1),
    (6, 24, 2, 2), (6, 24, 1, 2),
    (6, 32, 2, 3), (6, 32, 1, 3), (6, 32, 1, 3),
    (6, 64, 2, 4), (6, 64, 1, 4), (6, 64, 1, 4), (6, 64, 1, 4),
    (6, 96, 1, 5), (6, 96, 1, 5), (6, 96, 1, 5),
    (6, 160, 2, 6), (6, 160, 1, 6), (6, 160, 1, 6),
    (6, 320, 1, 7),
)
STEM_CHANNELS, LAST_CHANNELS = 32, 1280
FIXED_STAGES = (1, 2)
SEARCHABLE_STAGES = (3, 4, 5, 6, 7)
EXIT_STAGES = (2, 3, 4, 5, 6, 7)  # the head attaches to the last kept stage


def make_divisible(value: float, divisor: int = 8) -> int:
    """keras.applications' channel rounding: nearest multiple of 8, at least 8, never < 90 %."""
    new = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return new + divisor if new < 0.9 * value else new


def has_residual(index: int) -> bool:
    """Whether block `index` adds its input to its output: every block after the first of its
    stage (blocks 2, 4, 5, 7, 8, 9, 11, 12, 14, 15). Fixed by the base network, not by width,
    so the supernet and every subnet share one topology (keras.applications would also add a
    residual to block 0 when alpha <= 0.25 rounds both widths to 8)."""
    return index != 0 and BLOCKS[index][2] == 1 and BLOCKS[index - 1][3] == BLOCKS[index][3]


def stage_blocks(stage: int) -> list[int]:
    return [i for i, block in enumerate(BLOCKS) if block[3] == stage]


def kept_blocks(depths: Sequence[int]) -> list[int]:
    """Block indices a candidate keeps: stages 1-2 whole, then the first d blocks of each stage."""
    kept = stage_blocks(1) + stage_blocks(2)
    for stage, depth in zip(SEARCHABLE_STAGES, depths):
        kept += stage_blocks(stage)[:depth]
    return kept


def exit_stage(depths: Sequence[int]) -> int:
    """The last stage with blocks: where the classifier attaches."""
    stage = 2
    for candidate_stage, depth in zip(SEARCHABLE_STAGES, depths):
        if depth == 0:
            break
        stage = candidate_stage
    return stage


@dataclass(frozen=True)
class Op:
    """One fused operation (convolution + batch norm + activation, or add, pool, dense).

    `inputs` and `output` name tensors; sizes are element counts without the batch axis.
    """

    name: str
    kind: str  # conv | depthwise | add | pool | dense
    inputs: tuple[str, ...]
    output: str
    out_shape: tuple[int, ...]
    kernel: int = 1
    in_channels: int = 0
    params: int = 0        # weights + biases after folding batch norm into the convolution
    bn_params: int = 0     # the 4 batch-norm vectors of an unfolded Keras layer (paper mode)
    macs: int = 0
    biases: int = 0        # of `params`, the biases (int32 in an int8 TFLite model)


@dataclass(frozen=True)
class Network:
    """A whole candidate network: the input tensor and the ops in execution order."""

    input_shape: tuple[int, ...]
    ops: tuple[Op, ...]

    def shapes(self) -> dict[str, tuple[int, ...]]:
        shapes = {"input": self.input_shape}
        shapes.update({op.output: op.out_shape for op in self.ops})
        return shapes


def _conv(name, src, shape, cout, kernel, stride, depthwise=False) -> Op:
    h, w, cin = shape
    oh, ow = math.ceil(h / stride), math.ceil(w / stride)
    if depthwise:
        weights, macs = kernel * kernel * cin, oh * ow * kernel * kernel * cin
        cout = cin
    else:
        weights, macs = kernel * kernel * cin * cout, oh * ow * kernel * kernel * cin * cout
    return Op(name, "depthwise" if depthwise else "conv", (src,), name, (oh, ow, cout), kernel, cin,
              params=weights + cout, bn_params=weights + 4 * cout, macs=macs, biases=cout)


def build_network(input_shape: Sequence[int], depths: Sequence[int], width: float, classes: int) -> Network:
    """The ops of the candidate with these stage depths and width (alpha x mono factor)."""
    ops: list[Op] = []
    shape = tuple(input_shape)
    ops.append(_conv("Conv1", "input", shape, make_divisible(STEM_CHANNELS * width), 3, 2))
    x = "Conv1"
    for index in kept_blocks(depths):
        expansion, channels, stride, _ = BLOCKS[index]
        block_in, shape_in = x, ops[-1].out_shape
        prefix = f"block_{index}"
        if expansion != 1:
            ops.append(_conv(f"{prefix}_expand", x, shape_in, shape_in[2] * expansion, 1, 1))
            x = ops[-1].output
        ops.append(_conv(f"{prefix}_depthwise", x, ops[-1].out_shape, 0, 3, stride, depthwise=True))
        ops.append(_conv(f"{prefix}_project", ops[-1].output, ops[-1].out_shape, make_divisible(channels * width), 1, 1))
        x = ops[-1].output
        if has_residual(index):
            ops.append(Op(f"{prefix}_add", "add", (block_in, x), f"{prefix}_add", ops[-1].out_shape))
            x = ops[-1].output
    if exit_stage(depths) == 7:
        ops.append(_conv("Conv_1", x, ops[-1].out_shape, make_divisible(LAST_CHANNELS * width), 1, 1))
        x = "Conv_1"
    channels = ops[-1].out_shape[-1]
    ops.append(Op("pool", "pool", (x,), "pool", (channels,)))
    ops.append(Op("logits", "dense", ("pool",), "logits", (classes,), in_channels=channels,
                  params=channels * classes + classes, bn_params=channels * classes + classes,
                  macs=channels * classes, biases=classes))
    return Network(tuple(input_shape), tuple(ops))
