"""The PC-DARTS search network with data weights gamma (Shi, Njor et al. 2025).

Inputs: one batch per data configuration (the same samples featurised under each), aligned
to one shape and mixed as sum_d softmax(gamma)_d x_d. Alignment:
- 'zero_pad': every input is zero-padded (at the end of each axis) to the largest shape;
- 'preprocess': a learned strided 'valid' convolution per configuration maps it down to the
  smallest height and width (stride floor(H_d / H_min), kernel H_d - (H_min - 1) x stride),
  with as many channels as the widest input; it starts as a box filter (a local mean).
Once the data search has stopped, only the chosen configuration is featurised and enters with
weight 1.

Cells: every edge is a mixed operation over the candidate ops, weighted by softmax(alpha);
only 1/K of its channels pass through the ops, the rest bypass them (max-pooled 2x2 on
reduction edges) and the channels are shuffled (PC-DARTS, Xu et al. 2020); a node sums its
incoming edges weighted by softmax(beta) over them. Architecture parameters are call inputs,
not weights, so the bilevel trainer differentiates with respect to them separately.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from engine.backend import load_keras
from engine.space.darts.arch import STEM_MULTIPLIER, cell_channels
from engine.space.darts.genotype import NONE_OP, cell_edges, node_edge_slices
from engine.space.darts.layers import OpChain, apply_layers, projection_layers, stem_layers

keras = load_keras()
ops = keras.ops


def aligned_shape(shapes: Sequence[Sequence[int]], alignment: str) -> tuple[int, int, int]:
    """The common shape inputs are aligned to.

    Example:
        >>> aligned_shape([(79, 10, 1), (49, 10, 1)], "zero_pad"), aligned_shape([(96, 96, 3), (32, 32, 1)], "preprocess")
        ((79, 10, 1), (32, 32, 3))
    """
    channels = max(s[2] for s in shapes)
    pick = max if alignment == "zero_pad" else min
    return pick(s[0] for s in shapes), pick(s[1] for s in shapes), channels


def preprocess_geometry(size: int, target: int) -> tuple[int, int]:
    """(kernel, stride) of a 'valid' convolution from `size` to exactly `target` positions.

    Example:
        >>> preprocess_geometry(98, 49), preprocess_geometry(79, 49), preprocess_geometry(32, 32)
        ((2, 2), (31, 1), (1, 1))
    """
    stride = size // target
    return size - (target - 1) * stride, stride


class DataMixer(keras.layers.Layer):
    """Aligns the inputs of every data configuration and mixes them with the data weights."""

    def __init__(self, input_shapes: Sequence[Sequence[int]], alignment: str, **kwargs):
        super().__init__(**kwargs)
        self.input_shapes = [tuple(s) for s in input_shapes]
        self.alignment = alignment
        self.target = aligned_shape(self.input_shapes, alignment)
        self.convs = []
        if alignment == "preprocess":
            for d, shape in enumerate(self.input_shapes):
                (kh, sh), (kw, sw) = preprocess_geometry(shape[0], self.target[0]), preprocess_geometry(shape[1], self.target[1])
                box = keras.initializers.Constant(1.0 / (kh * kw * shape[2]))
                conv = keras.layers.Conv2D(self.target[2], (kh, kw), (sh, sw), padding="valid", use_bias=False,
                                           kernel_initializer=box, name=f"preprocess_{d}")
                conv.build((None, *shape))
                self.convs.append(conv)

    def align(self, x, d: int):
        if self.alignment == "preprocess":
            return self.convs[d](x)
        h, w, c = self.input_shapes[d]
        th, tw, tc = self.target
        return ops.pad(x, [[0, 0], [0, th - h], [0, tw - w], [0, tc - c]])

    def call(self, xs, data_weights=None, chosen: int | None = None):
        if chosen is not None:
            return self.align(xs[0], chosen)
        return sum(data_weights[d] * self.align(x, d) for d, x in enumerate(xs))


class MixedEdge:
    """One searched edge: every real op on 1/K of the channels, weighted by softmax(alpha)."""

    def __init__(self, op_names: Sequence[str], channels: int, stride: int, partial: int, name: str):
        self.op_names, self.stride, self.partial = list(op_names), stride, partial
        self.part = channels // partial
        self.chains = {op: OpChain(op, self.part, stride, f"{name}_{op}", affine=False, fast=True)
                       for op in op_names if op != NONE_OP}
        self.bypass_pool = keras.layers.MaxPooling2D(2, 2, padding="same", name=f"{name}_bypass")

    def layers(self) -> list:
        return [layer for chain in self.chains.values() for layer in chain.layers] + [self.bypass_pool]

    def __call__(self, x, weights, training=None):
        head = x[..., :self.part]
        out = sum(weights[i] * self.chains[op](head, training) for i, op in enumerate(self.op_names) if op != NONE_OP)
        if self.partial == 1:
            return out
        rest = x[..., self.part:]
        if self.stride == 2:
            rest = self.bypass_pool(rest)
        return channel_shuffle(ops.concatenate([out, rest], axis=-1), self.partial)


def channel_shuffle(x, groups: int):
    """PC-DARTS channel shuffle, channels-last: (g, c/g) -> (c/g, g)."""
    b, h, w, c = x.shape
    x = ops.reshape(x, (-1, h, w, groups, c // groups))
    return ops.reshape(ops.transpose(x, (0, 1, 2, 4, 3)), (-1, h, w, c))


class DartsSearchNetwork(keras.Model):
    """Stem, `cells` searched cells (reductions at 1/3 and 2/3), pooled dense head.

    call(xs, data_weights, arch, chosen=None, training=False): xs is a list with one batch per
    data configuration (or only the chosen one), arch the raw {alpha,beta}_{normal,reduce}.
    """

    def __init__(self, input_shapes: Sequence[Sequence[int]], op_names: Sequence[str], cells: int, channels: int,
                 nodes: int, partial: int, classes: int, alignment: str, **kwargs):
        super().__init__(**kwargs)
        self.settings = dict(input_shapes=[list(s) for s in input_shapes], op_names=list(op_names), cells=cells,
                             channels=channels, nodes=nodes, partial=partial, classes=classes, alignment=alignment)
        self.nodes, self.op_names = nodes, list(op_names)
        self.mixer = DataMixer(input_shapes, alignment, name="data_mixer")
        self.stem = stem_layers(STEM_MULTIPLIER * channels, affine=True)
        self.cells, tracked = [], []
        reduction_prev = False
        for index, (c, reduction) in enumerate(cell_channels(channels, cells)):
            cell = {"reduction": reduction,
                    "pre0": projection_layers(c, 2 if reduction_prev else 1, f"cell{index}_pre0", False),
                    "pre1": projection_layers(c, 1, f"cell{index}_pre1", False),
                    "edges": [MixedEdge(op_names, c, 2 if reduction and k < 2 else 1, partial,
                                        f"cell{index}_n{node}_e{k}") for node, k in cell_edges(nodes)]}
            tracked += cell["pre0"] + cell["pre1"] + [layer for e in cell["edges"] for layer in e.layers()]
            self.cells.append(cell)
            reduction_prev = reduction
        self.cell_layers = tracked  # tracked by Keras, so their weights belong to the model
        self.head = keras.layers.Dense(classes, name="logits")
        self.input_shapes_ = [tuple(s) for s in input_shapes]

    def build_all(self) -> None:
        """Creates every weight by one symbolic call (shapes are fixed at init): traced, never
        run, so no XLA program is compiled per op as an eager call on a batch of zeros would."""
        xs = [keras.KerasTensor((1, *s)) for s in self.input_shapes_]
        arch = {k: keras.KerasTensor(v.shape) for k, v in zero_arch(len(cell_edges(self.nodes)),
                                                                      len(self.op_names)).items()}
        self(xs, keras.KerasTensor((len(xs),)), arch)

    def call(self, xs, data_weights=None, arch=None, chosen=None, training=False):
        x = self.mixer(xs, data_weights=data_weights, chosen=chosen)
        x = apply_layers(self.stem, x, training)
        s0 = s1 = x
        slices = node_edge_slices(self.nodes)
        for cell in self.cells:
            kind = "reduce" if cell["reduction"] else "normal"
            alpha = ops.softmax(arch[f"alpha_{kind}"], axis=-1)
            beta = arch[f"beta_{kind}"]
            states = [apply_layers(cell["pre0"], s0, training), apply_layers(cell["pre1"], s1, training)]
            for node, part in enumerate(slices):
                edge_weights = ops.softmax(beta[part.start:part.stop])
                states.append(sum(edge_weights[k] * cell["edges"][part.start + k](states[k], alpha[part.start + k],
                                                                                  training)
                                  for k in range(node + 2)))
            s0, s1 = s1, ops.concatenate(states[2:], axis=-1)
        return self.head(ops.mean(s1, axis=(1, 2)))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.settings}


def zero_arch(edges: int, n_ops: int) -> dict[str, np.ndarray]:
    """Architecture parameters that weigh every op and edge equally."""
    return {"alpha_normal": np.zeros((edges, n_ops), np.float32), "alpha_reduce": np.zeros((edges, n_ops), np.float32),
            "beta_normal": np.zeros(edges, np.float32), "beta_reduce": np.zeros(edges, np.float32)}
