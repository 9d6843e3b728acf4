"""The arena TFLite Micro needs for an int8 MobileNetV2 subnet, modelled:

    arena = planned activations + persistent structures

- planned activations (the arena's head): TFLite Micro's greedy planner places every
  non-constant tensor, the model input included, for its lifetime (from the op that writes it,
  or the start, to the last op that reads it) at offsets its greedy planner chooses; the head is
  the end of that layout, which can exceed the peak of live bytes by the planner's gaps (up to
  6 % on the measured subnets). The liveness estimate instead keeps the input throughout and
  takes the plain peak.
- persistent structures (the arena's tail), from the recording allocator of tflite-micro
  0.dev20261023 on 12 converted subnets (bench/tflm_arena.py), per pointer size P:
    TfLiteEvalTensor       3P B per tensor (data pointer, dims pointer, type; 24 B at P = 8)
    NodeAndRegistration    8P B per op, and 3P B per op of records outside the named kinds
    persistent TfLiteTensor for the model's input and output, and their quantisation records
    op data               per-channel output multipliers and shifts (2 x int32 per output
                          channel of every convolution, rounded up to 16 B each) plus a fixed
                          record per op kind
    fixed                 the interpreter's own records (subgraph, allocator)
  The fixed terms below were read off on the 64-bit host and scaled by pointer size where they
  hold pointers; `pointer_bytes` 4 (a Cortex-M) is the default of the spec's hardware section.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.space.mobilenet_arch import Network

ALIGN = 16


@dataclass(frozen=True, kw_only=True)
class ArenaEstimate:
    """The modelled TFLite Micro arena, in bytes, and its two parts."""

    planned_bytes: int
    persistent_bytes: int

    @property
    def arena_bytes(self) -> int:
        return self.planned_bytes + self.persistent_bytes

    def as_dict(self) -> dict[str, int]:
        return {"arena_bytes": self.arena_bytes, "planned_bytes": self.planned_bytes,
                "persistent_bytes": self.persistent_bytes}


def planned_bytes(network: Network, activation_bytes: int, input_bytes: int) -> int:
    """The head TFLite Micro's greedy planner lays out (GreedyMemoryPlanner): tensors sorted by
    size, largest first (a stable sort), each placed at the lowest offset where it overlaps no
    tensor already placed whose lifetime overlaps its own; sizes rounded up to 16 B. Lifetimes
    run from the op that writes a tensor (the input: op 0) to the last op that reads it (the
    output: the last op). The head is the highest end of a placed tensor.

    Example:
        >>> from engine.space.mobilenet_arch import build_network
        >>> planned_bytes(build_network((16, 16, 1), (1, 0, 0, 0, 0), 0.25, 2), 1, 256)
        3840
    """
    sizes = {name: _round_up(_elements(shape) * activation_bytes) for name, shape in network.shapes().items()}
    sizes["input"] = _round_up(input_bytes)
    first = {"input": 0, **{op.output: i for i, op in enumerate(network.ops)}}
    last = dict(first)
    for position, op in enumerate(network.ops):
        for name in op.inputs:
            last[name] = max(last[name], position)
    last[network.ops[-1].output] = len(network.ops) - 1
    order = sorted(first, key=lambda name: -sizes[name])  # stable: ties keep creation order
    placed: list[tuple[int, int, str]] = []  # (offset, end, name), kept sorted by offset
    for name in order:
        offset = 0
        for other_offset, other_end, other in placed:
            if first[other] > last[name] or first[name] > last[other]:
                continue  # never alive together
            if other_offset >= offset + sizes[name]:
                break  # fits in the gap below this one
            offset = max(offset, other_end)
        placed.append((offset, offset + sizes[name], name))
        placed.sort()
    return max(end for _, end, _ in placed)


def persistent_bytes(network: Network, pointer_bytes: int) -> int:
    """The arena's tail (see the module docstring): per tensor, per op, per output channel of a
    convolution, and fixed terms.

    Example (the 64-bit host's 6,960 B measured for this network):
        >>> from engine.space.mobilenet_arch import build_network
        >>> persistent_bytes(build_network((16, 16, 1), (1, 0, 0, 0, 0), 0.25, 2), 8)
        6969
    """
    ops = network.ops
    convs = [op for op in ops if op.kind in ("conv", "depthwise")]
    tensors = len(ops) + 2 * len(convs) + TENSORS_BESIDES_OPS
    channel_data = sum(2 * _round_up(4 * op.out_shape[-1]) for op in convs)
    op_data = OP_DATA_FIXED + OP_DATA_PER_CONV * len(convs) + OP_DATA_PER_OTHER_OP * (len(ops) - len(convs))
    scale = pointer_bytes / 8
    return round(tensors * EVAL_TENSOR_BYTES_64 * scale + len(ops) * (NODE_BYTES_64 + PER_NODE_OTHER_64) * scale
                 + IO_TENSORS_BYTES_64 * scale + IO_QUANTIZATION_BYTES + channel_data + op_data + FIXED_OTHER_BYTES)


# Read off tflite-micro 0.dev20261023's recording allocator on the 64-bit host (bench/tflm_arena.py,
# 12 subnets: every term within 30 B of a least-squares fit). Pointer-holding records scale with
# the pointer size; op data and fixed records are kept at their 64-bit size (an upper bound).
TENSORS_BESIDES_OPS = 3        # the input, the mean's axis, the classifier's bias beside its weights
EVAL_TENSOR_BYTES_64 = 24      # TfLiteEvalTensor: data and dims pointers, type
NODE_BYTES_64 = 64             # NodeAndRegistration: TfLiteNode's pointers and the registration's
PER_NODE_OTHER_64 = 24         # per-node records outside the named kinds
IO_TENSORS_BYTES_64 = 128      # persistent TfLiteTensor of the model's input and output
IO_QUANTIZATION_BYTES = 64     # their quantisation records
OP_DATA_FIXED = 60             # beside 66 B per op, the mean and the classifier need this much more
OP_DATA_PER_CONV = 80          # OpDataConv beside its per-channel arrays
OP_DATA_PER_OTHER_OP = 66      # an add's, the mean's or the classifier's op data
FIXED_OTHER_BYTES = 543        # the subgraph and allocator records


def tflm_arena_estimate(network: Network, activation_bytes: int, input_bytes: int,
                        pointer_bytes: int = 4) -> ArenaEstimate:
    """The modelled arena of a MobileNetV2 subnet for a target with `pointer_bytes` pointers."""
    return ArenaEstimate(planned_bytes=planned_bytes(network, activation_bytes, input_bytes),
                         persistent_bytes=persistent_bytes(network, pointer_bytes))


def _round_up(value: int) -> int:
    return -(-value // ALIGN) * ALIGN


def _elements(shape) -> int:
    count = 1
    for dim in shape:
        count *= dim
    return count
