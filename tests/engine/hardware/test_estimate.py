"""Estimates for a tiny network counted by hand, and the full MobileNetV2 against Keras."""

from engine.hardware.estimate import estimate_liveness, estimate_paper
from engine.space.mobilenet_arch import build_network, make_divisible

# 8x8x1 input, stages 1-2 only, width 0.1 (every layer rounds to 8 channels), 2 classes:
# Conv1 3x3/2 -> 4x4x8; block 0: dw -> 4x4x8, project -> 4x4x8; block 1: expand -> 4x4x48,
# dw/2 -> 2x2x48, project -> 2x2x8; block 2: expand, dw, project, add (2x2x8); pool; dense.
TINY = dict(input_shape=(8, 8, 1), depths=(0, 0, 0, 0, 0), width=0.1, classes=2)


def tiny():
    return build_network(**TINY)


def test_parameters_by_hand():
    folded = 80 + 80 + 72 + 432 + 480 + 392 + 432 + 480 + 392 + 18  # weights + one bias per channel
    with_bn = 104 + 104 + 96 + 576 + 624 + 416 + 576 + 624 + 416 + 18  # weights + 4 BN vectors
    assert sum(op.params for op in tiny().ops) == folded == 2858
    assert sum(op.bn_params for op in tiny().ops) == with_bn == 3554


def test_liveness_ram_by_hand():
    estimate = estimate_liveness(tiny(), input_bytes=64, scratch_bytes=0, activation_bytes=1,
                                 weight_bytes=1, flash_overhead=1000)
    # peak at block 1's depthwise: its input 4x4x48 + output 2x2x48, plus the 64 B input buffer
    assert estimate.ram_bytes == 64 + 768 + 192
    assert estimate.peak_op == "block_1_depthwise"
    # int8 TFLite: 2,624 int8 weights + 234 int32 biases + 24 B quantisation per output channel
    # (234) + 12 B per activation tensor (input + 12 op outputs) + 297 B per tensor (13
    # activations, 10 weight and 10 bias tensors) + 260 B fixed + the 1,000 B overhead of the spec
    assert estimate.flash_bytes == 2624 + 4 * 234 + 24 * 234 + 12 * 13 + 297 * 33 + 260 + 1000
    assert estimate.macs == 17552


def test_residual_input_stays_alive():
    network = build_network((8, 8, 1), (0, 0, 0, 0, 0), 0.1, 2)
    estimate = estimate_liveness(network, 0, 0, 1, 1, 0)
    # block 2's depthwise holds block 1's output (2x2x8 = 32) for the add: 192 + 192 + 32
    ops = {op.name: op for op in network.ops}
    assert ops["block_2_add"].inputs == ("block_1_project", "block_2_project")
    assert estimate.ram_bytes == 960  # block 1 still peaks; the held tensor shows below
    two_byte = estimate_liveness(network, 0, 0, 2, 1, 0)
    assert two_byte.ram_bytes == 2 * 960


def test_a_tensor_held_for_a_residual_add_counts_where_it_sets_the_peak():
    """A block whose projection runs while its input waits for the add: the held input is what
    makes that op the peak (without it the expand would be, at 50 + 200)."""
    from engine.space.mobilenet_arch import Network, Op

    ops = (Op("a", "conv", ("input",), "a", (5, 10, 1)),        # 50
           Op("expand", "conv", ("a",), "expand", (5, 40, 1)),  # 200
           Op("project", "conv", ("expand",), "project", (5, 10, 1)),  # 50, while "a" waits
           Op("add", "add", ("a", "project"), "add", (5, 10, 1)))
    estimate = estimate_liveness(Network((5, 10, 1), ops), 0, 0, 1, 1, 0)
    assert (estimate.ram_bytes, estimate.peak_op) == (200 + 50 + 50, "project")


def test_frontend_scratch_can_dominate():
    estimate = estimate_liveness(tiny(), 64, 5000, 1, 1, 0)
    assert estimate.ram_bytes == 64 + 5000 and estimate.peak_op == "frontend"


def test_paper_mode_by_hand():
    estimate = estimate_paper(tiny(), input_bytes=64, activation_bytes=1, weight_bytes=1, flash_overhead=0)
    # eq. 2: block 1's ZeroPadding2D before its stride-2 depthwise reads 4x4x48 and writes
    # 5x5x48 (768 + 1200); next largest is the expand's batch norm, 2 x 768
    assert estimate.ram_bytes == 768 + 1200
    assert estimate.flash_bytes == 3554  # eq. 1 with batch norm counted


def test_full_mobilenetv2_matches_keras_applications():
    network = build_network((224, 224, 3), (3, 4, 3, 3, 1), 1.0, 1000)
    assert sum(op.bn_params for op in network.ops) == 3_538_984  # keras.applications.MobileNetV2
    assert 299e6 < sum(op.macs for op in network.ops) < 301e6   # ~300 M MACs (Sandler et al.)
    assert make_divisible(0.35 * 32) == 16 and make_divisible(0.1 * 16) == 8


def test_paper_mode_reproduces_the_reference_code():
    """Golden values of the published Data-Aware NAS code's estimator (Njor et al. 2025, eq. 1-2:
    2,430,048 B RAM and 2,260,546 B flash for the full rgb 224 px MobileNetV2, as the module
    docstring of engine/hardware/estimate.py records), at full depth."""
    from engine.hardware.estimate import estimate_paper

    cases = [((224, 224, 3), 1.0, 2_430_048), ((224, 224, 1), 0.33, 1_215_024), ((96, 96, 3), 0.5, 225_840),
             ((128, 128, 1), 0.33, 399_408)]
    for shape, width, ram in cases:
        network = build_network(shape, (3, 4, 3, 3, 1), width, 2)
        assert estimate_paper(network, shape[0] * shape[1] * shape[2], 1, 1, 0).ram_bytes == ram, shape
    full = build_network((224, 224, 3), (3, 4, 3, 3, 1), 1.0, 2)
    assert estimate_paper(full, 224 * 224 * 3, 1, 1, 0).flash_bytes == 2_260_546


def test_tflm_ram_is_the_planned_arena_plus_persistent_structures_and_front_end_scratch():
    from engine.hardware.estimate import estimate_tflm
    from engine.hardware.tflm import persistent_bytes, planned_bytes

    estimate = estimate_tflm(tiny(), input_bytes=64, scratch_bytes=500, activation_bytes=1, weight_bytes=1,
                             flash_overhead=1000, pointer_bytes=4)
    # the input is freed after Conv1 reads it, so the peak is block 1's depthwise (768 + 192 B)
    assert planned_bytes(tiny(), 1, 64) == 768 + 192
    assert estimate.ram_bytes == 768 + 192 + persistent_bytes(tiny(), 4) + 500
    assert estimate.flash_bytes == estimate_liveness(tiny(), 64, 0, 1, 1, 1000).flash_bytes
