"""Analytical RAM, flash and MAC estimates of a TinyML system (data + model).

TFLite Micro mode (default, `estimate_tflm`): RAM is the arena TFLite Micro needs for the int8
model, its greedy planner's layout of the live tensors plus its persistent structures for the
target's pointer size (engine/hardware/tflm.py; within 0.2 % of the arena a real TFLite Micro
interpreter needs on 12 MobileNetV2 subnets, 64-bit host), plus the audio front-end's scratch;
flash as below.

Liveness mode, the converted graph's live tensors (what TFLite's own interpreter keeps):
    RAM   = input buffer + max(front-end scratch,
                               max over ops in execution order of
                               (op inputs + op output + tensors held for a later residual add))
    flash = weights x weight_bytes + biases x bias_bytes
            + 24 B x output channels of every op with weights   (int8 only: per-channel scale,
                                                                  float32, and zero point, int64,
                                                                  of the weights and of the biases)
            + 12 B x activation tensors                          (int8 only: per-tensor scale, zero point)
            + 295 B x tensors + 550 B                            (the flatbuffer's structure: tensor
                                                                  records, names, shapes, ops)
            + flash_overhead_bytes                              (the user's: runtime, code)
with bias_bytes 4 (int32) for int8 weights, else weight_bytes. Batch norm and the activation
are folded into the convolution (one op, one output tensor), so their parameters disappear and
they add no tensors. The model input buffer stays allocated for the whole inference (TFLite
keeps it), so it is counted once, outside the op peak. Sizes are elements x bytes per value
(activation_bytes; data_bytes for the input). Checked against TensorFlow 2.21's int8 converter
on six MobileNetV2 subnets (tests/engine/hardware/golden/tflite_mobilenetv2.json, made by
`python -m bench estimator`): RAM equal to the peak of the converted graph's live tensors in
every case; flash within 1 % of the .tflite file (the per-tensor and fixed terms were fitted
on 12 subnets converted by `engine.deploy.convert`, bench/tflm_arena.py: -0.2 % to +0.8 %).
Derived DARTS cells are modelled less well (see bench/estimator.py's docstring).

Paper mode, Njor et al. 2025 eq. 1-2 (the reference code's estimator, for comparison):
    flash = sum(all Keras weights, batch norm's 4 vectors included) x t_s + overhead  (eq. 1)
    RAM   = max(input sample, max over unfused layers of (input + output))           (eq. 2)
where a convolution, its batch norm and its ReLU6 are separate layers (2 x output each for
the latter two), a stride-2 depthwise convolution is preceded by Keras's ZeroPadding2D layer
(input + padded input), and an add reads two inputs. This reproduces the reference code's
figures (2,430,048 B RAM and 2,260,546 B flash for the full rgb 224 px MobileNetV2).
MACs count multiply-accumulates of convolutions and the classifier: a latency proxy.
"""

from __future__ import annotations

from danas.records import Estimate
from engine.space.mobilenet_arch import Network


def estimate_system(network: Network, hardware, input_bytes: int, scratch_bytes: int) -> Estimate:
    """The estimate the spec's `hardware.estimator` asks for ('tflm', 'liveness' or 'paper')."""
    if hardware.estimator == "tflm":
        return estimate_tflm(network, input_bytes, scratch_bytes, hardware.activation_bytes,
                             hardware.weight_bytes, hardware.flash_overhead_bytes, hardware.pointer_bytes)
    if hardware.estimator == "paper":
        return estimate_paper(network, input_bytes, hardware.activation_bytes, hardware.weight_bytes,
                              hardware.flash_overhead_bytes)
    return estimate_liveness(network, input_bytes, scratch_bytes, hardware.activation_bytes,
                             hardware.weight_bytes, hardware.flash_overhead_bytes)


def estimate_liveness(network: Network, input_bytes: int, scratch_bytes: int, activation_bytes: int,
                      weight_bytes: int, flash_overhead: int) -> Estimate:
    """Liveness-aware estimate (see the module docstring)."""
    size = {name: _elements(shape) * activation_bytes for name, shape in network.shapes().items()}
    size["input"] = 0  # counted once, as the input buffer
    last_use = {}
    for position, op in enumerate(network.ops):
        for name in op.inputs:
            last_use[name] = position
    peak, peak_op = 0, "input"
    for position, op in enumerate(network.ops):
        held = {name for name, last in last_use.items()
                if last > position and name not in op.inputs and _produced_before(network, name, position)}
        live = sum(size[n] for n in op.inputs) + size[op.output] + sum(size[n] for n in held)
        if live > peak:
            peak, peak_op = live, op.name
    if scratch_bytes > peak:
        peak, peak_op = scratch_bytes, "frontend"
    params = sum(op.params for op in network.ops)
    return Estimate(ram_bytes=input_bytes + peak, flash_bytes=tflite_flash(network, weight_bytes) + flash_overhead,
                    macs=sum(op.macs for op in network.ops), params=params, peak_op=peak_op)


TFLITE_QUANT_BYTES_PER_CHANNEL = 24  # (float32 scale + int64 zero point) x (weights, biases)
TFLITE_QUANT_BYTES_PER_TENSOR = 12   # an activation tensor's scale and zero point
TFLITE_BYTES_PER_TENSOR = 297        # tensor record, name, shape, buffer entry, share of its op
TFLITE_FIXED_BYTES = 260             # header, subgraph, metadata


def estimate_tflm(network: Network, input_bytes: int, scratch_bytes: int, activation_bytes: int,
                  weight_bytes: int, flash_overhead: int, pointer_bytes: int) -> Estimate:
    """TFLite Micro mode: RAM = the arena TFLite Micro needs (engine/hardware/tflm.py: its
    planner's head + persistent structures for `pointer_bytes` pointers) + the front-end's
    scratch (static buffers beside the arena); flash as in liveness mode."""
    from engine.hardware.tflm import tflm_arena_estimate

    liveness = estimate_liveness(network, input_bytes, 0, activation_bytes, weight_bytes, flash_overhead)
    arena = tflm_arena_estimate(network, activation_bytes, input_bytes, pointer_bytes)
    # peak_op: where the live tensors peak; the planner's layout may put its top elsewhere
    return Estimate(ram_bytes=arena.arena_bytes + scratch_bytes, flash_bytes=liveness.flash_bytes,
                    macs=liveness.macs, params=liveness.params, peak_op=liveness.peak_op)


def tflite_flash(network: Network, weight_bytes: int) -> int:
    """Bytes of the .tflite flatbuffer of the network (see the module docstring).

    Example:
        >>> from engine.space.mobilenet_arch import build_network
        >>> tflite_flash(build_network((96, 96, 3), (3, 4, 3, 3, 1), 0.35, 2), 1)
        515467
    """
    int8 = weight_bytes == 1
    bias_bytes = 4 if int8 else weight_bytes
    tensors = 1 + len(network.ops)  # the input and every op's output
    total = TFLITE_FIXED_BYTES + (TFLITE_QUANT_BYTES_PER_TENSOR if int8 else 0) * tensors
    for op in network.ops:
        weights = op.params - op.biases
        tensors += (weights > 0) + (op.biases > 0)
        total += weights * weight_bytes + op.biases * bias_bytes
        if int8 and op.params:
            total += TFLITE_QUANT_BYTES_PER_CHANNEL * op.out_shape[-1]
    return total + TFLITE_BYTES_PER_TENSOR * tensors


def estimate_paper(network: Network, input_bytes: int, activation_bytes: int, weight_bytes: int,
                   flash_overhead: int) -> Estimate:
    """Njor et al. 2025 eq. 1-2 (see the module docstring)."""
    shapes = network.shapes()
    peak, peak_op = input_bytes, "input"
    for op in network.ops:
        inputs = sum(_elements(shapes[n]) for n in op.inputs)
        out = _elements(op.out_shape)
        # conv: in + out; then its batch norm and ReLU6 each read and write the output
        unfused = max(inputs + out, 2 * out) if op.kind in ("conv", "depthwise") else inputs + out
        if op.kind == "depthwise" and op.out_shape[0] < shapes[op.inputs[0]][0]:  # stride 2: padded first
            h, w, c = shapes[op.inputs[0]]
            unfused = max(unfused, inputs + (h + 1 + h % 2) * (w + 1 + w % 2) * c)
        first_input = op.inputs[0] == "input"
        bytes_ = unfused * activation_bytes if not first_input else \
            input_bytes + (unfused - inputs) * activation_bytes
        if bytes_ > peak:
            peak, peak_op = bytes_, op.name
    params = sum(op.bn_params for op in network.ops)
    return Estimate(ram_bytes=peak, flash_bytes=params * weight_bytes + flash_overhead,
                    macs=sum(op.macs for op in network.ops), params=params, peak_op=peak_op)


def _produced_before(network: Network, name: str, position: int) -> bool:
    if name == "input":
        return True
    return any(op.output == name for op in network.ops[:position])


def _elements(shape) -> int:
    count = 1
    for dim in shape:
        count *= dim
    return count
