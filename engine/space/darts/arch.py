"""A derived DARTS network as data: fused ops, shapes, parameters and MACs (pure Python).

The estimator reads this (as it reads `mobilenet_arch` for MobileNetV2), and
`derived_network.py` builds the Keras model from the same rules, so what is estimated is what
is built (a test compares the parameter counts). Layer rules, all 'same' padding, stride s:
- stem: conv 3x3 to 3C + batch norm;
- preprocessing of a cell input: ReLU, conv 1x1 (stride 2 when the previous cell reduced: a
  ResNet-style projection instead of DARTS's two-branch FactorizedReduce, whose one-pixel shift
  costs a slice and a pad op on a microcontroller), batch norm;
- sep_conv_kxk: (ReLU, depthwise kxk, conv 1x1, batch norm) twice, the first depthwise strided;
- dil_conv_kxk: ReLU, depthwise kxk dilation 2, conv 1x1 with the stride, batch norm (Keras
  refuses a strided dilated convolution, so the 1x1 convolution subsamples);
- max/avg_pool_3x3: 3x3 pooling; skip_connect: identity, or at stride 2 the projection above;
- node = sum of its two edges; cell output = concatenation of its nodes; head: global average
  pooling and a dense classifier.
As TFLite fuses them, batch norm folds into the convolution before it (adding a bias) and a
ReLU that reads a shared tensor is its own op with its own output tensor.
"""

from __future__ import annotations

import math
from typing import Sequence

from engine.space.darts.genotype import Genotype, cell_edges, reduction_cells
from engine.space.mobilenet_arch import Network, Op

STEM_MULTIPLIER = 3


class Builder:
    """Appends fused ops and names their tensors."""

    def __init__(self, input_shape: Sequence[int]):
        self.input_shape = tuple(input_shape)
        self.ops: list[Op] = []
        self.shapes = {"input": self.input_shape}

    def add(self, op: Op) -> str:
        self.ops.append(op)
        self.shapes[op.output] = op.out_shape
        return op.output

    def relu(self, name: str, x: str) -> str:
        return self.add(Op(name, "relu", (x,), name, self.shapes[x]))

    def conv(self, name: str, x: str, cout: int, kernel: int, stride: int, bn: bool = True) -> str:
        h, w, cin = self.shapes[x]
        oh, ow = math.ceil(h / stride), math.ceil(w / stride)
        weights = kernel * kernel * cin * cout
        return self.add(Op(name, "conv", (x,), name, (oh, ow, cout), kernel, cin,
                           params=weights + (cout if bn else 0), bn_params=weights + (4 * cout if bn else 0),
                           macs=oh * ow * weights, biases=cout if bn else 0))

    def depthwise(self, name: str, x: str, kernel: int, stride: int) -> str:
        h, w, c = self.shapes[x]
        oh, ow = math.ceil(h / stride), math.ceil(w / stride)
        return self.add(Op(name, "depthwise", (x,), name, (oh, ow, c), kernel, c, params=kernel * kernel * c,
                           bn_params=kernel * kernel * c, macs=oh * ow * kernel * kernel * c))

    def pool(self, name: str, x: str, stride: int) -> str:
        h, w, c = self.shapes[x]
        return self.add(Op(name, "pool", (x,), name, (math.ceil(h / stride), math.ceil(w / stride), c), 3, c))

    def join(self, name: str, kind: str, xs: Sequence[str]) -> str:
        shape = self.shapes[xs[0]]
        if kind == "concat":
            shape = (*shape[:-1], sum(self.shapes[x][-1] for x in xs))
        return self.add(Op(name, kind, tuple(xs), name, shape))

    def network(self) -> Network:
        return Network(self.input_shape, fuse_relus(self.ops))


def fuse_relus(ops: Sequence[Op]) -> tuple[Op, ...]:
    """What TFLite's converter does with the ReLUs that start DARTS operations: the ReLUs of one
    tensor are one op (common subexpressions merge), and if ReLUs are all that read a tensor
    made by a convolution or an add, that ReLU fuses into it (its fused activation)."""
    readers: dict[str, list[Op]] = {}
    for op in ops:
        for name in op.inputs:
            readers.setdefault(name, []).append(op)
    producer = {op.output: op for op in ops}
    alias: dict[str, str] = {}
    kept: list[Op] = []
    for op in ops:
        if op.kind == "relu":
            source = op.inputs[0]
            fusable = source in producer and producer[source].kind in ("conv", "add") and \
                all(r.kind == "relu" for r in readers[source])
            first = next(r for r in readers[source] if r.kind == "relu")
            if fusable:
                alias[op.output] = source
                continue
            if first is not op:
                alias[op.output] = first.output
                continue
        kept.append(Op(**{**op.__dict__, "inputs": tuple(alias.get(n, n) for n in op.inputs)}))
    return tuple(kept)


def apply_op(b: Builder, op: str, x: str, channels: int, stride: int, name: str) -> str:
    """The ops of one DARTS operation on tensor x; returns its output tensor."""
    if op == "skip_connect":
        return x if stride == 1 else projection(b, x, channels, stride, name)
    if op in ("max_pool_3x3", "avg_pool_3x3"):
        return b.pool(name, x, stride)
    kernel = int(op[-1])
    if op.startswith("sep_conv"):
        for part, s in (("a", stride), ("b", 1)):
            x = b.relu(f"{name}_{part}_relu", x)
            x = b.depthwise(f"{name}_{part}_dw", x, kernel, s)
            x = b.conv(f"{name}_{part}_pw", x, channels, 1, 1)
        return x
    if op.startswith("dil_conv"):
        x = b.relu(f"{name}_relu", x)
        x = dilated_depthwise(b, f"{name}_dw", x, kernel, 2)
        return b.conv(f"{name}_pw", x, channels, 1, stride)
    raise ValueError(f"unknown DARTS operation {op!r}")


def dilated_depthwise(b: Builder, name: str, x: str, kernel: int, dilation: int) -> str:
    """A dilated depthwise convolution as TFLite runs it: SPACE_TO_BATCH_ND (the padded input
    split into dilation^2 phases), a plain depthwise convolution, BATCH_TO_SPACE_ND."""
    h, w, c = b.shapes[x]
    pad = (kernel - 1) * dilation

    def phases(size: int) -> int:
        return -(-(size + pad) // dilation)

    batches = dilation * dilation
    x = b.add(Op(f"{name}_s2b", "reshape", (x,), f"{name}_s2b", (batches * phases(h), phases(w), c)))
    x = b.add(Op(name, "depthwise", (x,), name, (batches * (phases(h) - kernel + 1), phases(w) - kernel + 1, c),
                 kernel, c, params=kernel * kernel * c, bn_params=kernel * kernel * c, macs=h * w * kernel * kernel * c))
    return b.add(Op(f"{name}_b2s", "reshape", (x,), f"{name}_b2s", (h, w, c)))


def projection(b: Builder, x: str, channels: int, stride: int, name: str) -> str:
    """ReLU, conv 1x1 (strided), batch norm: cell-input preprocessing and strided skips."""
    return b.conv(f"{name}_conv", b.relu(f"{name}_relu", x), channels, 1, stride)


def cell_channels(channels: int, cells: int) -> list[tuple[int, bool]]:
    """(channels, is reduction) of every cell: channels double at each reduction cell.

    Example:
        >>> cell_channels(8, 3)
        [(8, False), (16, True), (32, True)]
    """
    reductions = reduction_cells(cells)
    out, current = [], channels
    for index in range(cells):
        if index in reductions:
            current *= 2
        out.append((current, index in reductions))
    return out


def build_derived(input_shape: Sequence[int], genotype: Genotype, channels: int, cells: int,
                  classes: int) -> Network:
    """The fused ops of the derived network (see the module docstring)."""
    b = Builder(input_shape)
    stem = b.conv("stem", "input", STEM_MULTIPLIER * channels, 3, 1)
    s0 = s1 = stem
    reduction_prev = False
    for index, (c, reduction) in enumerate(cell_channels(channels, cells)):
        prefix = f"cell{index}"
        p0 = projection(b, s0, c, 2 if reduction_prev else 1, f"{prefix}_pre0")
        p1 = projection(b, s1, c, 1, f"{prefix}_pre1")
        states = [p0, p1]
        for node, edges in enumerate(genotype.reduce if reduction else genotype.normal):
            outs = [apply_op(b, op, states[k], c, 2 if reduction and k < 2 else 1, f"{prefix}_n{node}_e{k}")
                    for op, k in edges]
            states.append(outs[0] if len(outs) == 1 else b.join(f"{prefix}_n{node}_add", "add", outs))
        s0, s1 = s1, b.join(f"{prefix}_out", "concat", states[2:])
        reduction_prev = reduction
    pooled = b.add(Op("pool", "pool", (s1,), "pool", (b.shapes[s1][-1],)))
    c = b.shapes[pooled][0]
    b.add(Op("logits", "dense", (pooled,), "logits", (classes,), in_channels=c, params=c * classes + classes,
             bn_params=c * classes + classes, macs=c * classes, biases=classes))
    return b.network()


def op_cost(op: str, shape: Sequence[int], channels: int, stride: int) -> tuple[int, int]:
    """(parameters, MACs) of one operation on an input of `shape`: the resource penalty's table.

    Example:
        >>> op_cost("sep_conv_3x3", (8, 8, 4), 4, 1)
        (112, 6656)
    """
    if op == "none":
        return 0, 0
    b = Builder(shape)
    apply_op(b, op, "input", channels, stride, "op")
    return sum(o.params for o in b.ops), sum(o.macs for o in b.ops)


def edge_cost_tables(input_shape: Sequence[int], op_names: Sequence[str], channels: int, cells: int,
                     nodes: int) -> dict[str, list[list[tuple[int, int]]]]:
    """Per cell kind ('normal', 'reduce'): for every edge and op, the (parameters, MACs) that op
    would cost in the derived network, summed over the cells of that kind (they share alpha)."""
    h, w = input_shape[0], input_shape[1]
    edges = cell_edges(nodes)
    tables = {kind: [[(0, 0)] * len(op_names) for _ in edges] for kind in ("normal", "reduce")}
    for c, reduction in cell_channels(channels, cells):
        kind = "reduce" if reduction else "normal"
        out_h, out_w = (math.ceil(h / 2), math.ceil(w / 2)) if reduction else (h, w)
        for e, (_, k) in enumerate(edges):
            shape, stride = ((h, w, c), 2) if reduction and k < 2 else (((out_h, out_w, c)), 1)
            for o, op in enumerate(op_names):
                params, macs = op_cost(op, shape, c, stride)
                old = tables[kind][e][o]
                tables[kind][e][o] = (old[0] + params, old[1] + macs)
        h, w = out_h, out_w
    return tables
