"""The masked supernet is the candidate: extraction, gates, parameter counts, depthwise path."""

from functools import lru_cache

import numpy as np
import pytest

from engine.backend import load_keras
from engine.space.depthwise import depthwise_conv
from engine.space.extract import extract_subnet
from engine.space.mobilenet_arch import build_network, has_residual
from engine.space.supernet import MaskedConvBN, MobileNetV2Supernet, candidate_inputs

keras = load_keras()
CASES = [((1, 1, 0, 0, 0), 0.25), ((3, 4, 3, 3, 1), 0.5), ((2, 0, 0, 0, 0), 0.35), ((0, 0, 0, 0, 0), 0.1),
         ((3, 2, 1, 0, 0), 0.5 / 3)]


@lru_cache(maxsize=None)
def _compiled(model):
    import jax

    return jax.jit(lambda t, n, x, inputs: model.stateless_call(t, n, x, **inputs)[0])


def run(model, x, **inputs) -> np.ndarray:
    """model(x, **inputs) in inference mode as one compiled program, the weights passed as
    arguments (so an assigned weight is seen). Called eagerly, every op of the full supernet
    compiled on its own, its fast depthwise traced anew on each call: 65 s for this file."""
    return np.asarray(_compiled(model)([v.value for v in model.trainable_variables],
                                       [v.value for v in model.non_trainable_variables], x, inputs))


@pytest.fixture(scope="module")
def supernet():
    model = MobileNetV2Supernet((24, 24, 3), 0.5, 3)
    rng = np.random.default_rng(0)
    for v in model.variables:  # random statistics too, so inference-mode BN is not the identity
        shape = v.shape
        value = rng.uniform(0.5, 1.5, shape) if "variance" in v.path else rng.normal(0, 0.3, shape)
        v.assign(value.astype("float32"))
    return model


@pytest.mark.parametrize("depths,width", CASES)
def test_masked_supernet_equals_extracted_subnet(supernet, depths, width):
    x = np.random.default_rng(1).normal(0, 1, (3, 24, 24, 3)).astype("float32")
    masked = run(supernet, x, **candidate_inputs(supernet, depths, width))
    subnet = extract_subnet(supernet, depths, width)
    assert np.abs(masked - run(subnet, x)).max() < 1e-4
    assert subnet.count_params() == sum(op.bn_params for op in build_network((24, 24, 3), depths, width, 3).ops)
    assert not any(isinstance(layer, MaskedConvBN) for layer in subnet.layers)



def test_a_shared_supernet_serves_another_size_and_mono_through_its_colour_stem(supernet):
    """Shared by data configurations: a 16 px mono input enters the 24 px rgb supernet as its
    channel repeated; the extracted 16x16x1 model (stem kernel summed over the colour channels)
    computes the same, and counts what a 1-channel network counts."""
    from engine.evaluate.supernets import repeat_channels

    depths, width = (1, 1, 0, 0, 0), 0.5 / 3
    x = np.random.default_rng(2).normal(0, 1, (3, 16, 16, 1)).astype("float32")
    masked = run(supernet, repeat_channels(x, 3), **candidate_inputs(supernet, depths, width))
    subnet = extract_subnet(supernet, depths, width, input_shape=(16, 16, 1))
    assert subnet.input_shape == (None, 16, 16, 1)
    assert np.abs(masked - run(subnet, x)).max() < 1e-4
    assert subnet.count_params() == sum(op.bn_params for op in build_network((16, 16, 1), depths, width, 3).ops)

def test_a_supernet_of_few_depth_choices_holds_only_what_its_candidates_use():
    """Stage 3 keeps one block, stage 4 none or one, later stages none: blocks 0-3 and 6, and the
    heads of exits 3 and 4; every candidate of that space still equals its extracted subnet."""
    choices = ((1,), (0, 1), (0,), (0,), (0,))
    small = MobileNetV2Supernet((16, 16, 3), 0.5, 2, choices, init_seed=3)
    assert small.block_indices == [0, 1, 2, 3, 6] and small.exit_stages == [3, 4] and small.last is None
    assert [h.name for h in small.heads] == ["head_stage3", "head_stage4"]
    assert small.count_params() < MobileNetV2Supernet((16, 16, 3), 0.5, 2).count_params() / 10
    x = np.random.default_rng(4).normal(0, 1, (2, 16, 16, 3)).astype("float32")
    for depths in ((1, 0, 0, 0, 0), (1, 1, 0, 0, 0)):
        masked = run(small, x, **candidate_inputs(small, depths, 0.25))
        subnet = extract_subnet(small, depths, 0.25)
        assert np.abs(masked - run(subnet, x)).max() < 1e-4
        assert subnet.count_params() == sum(op.bn_params for op in build_network((16, 16, 3), depths, 0.25, 2).ops)


def test_masked_channels_are_exactly_zero(supernet):
    inputs = candidate_inputs(supernet, (1, 1, 0, 0, 0), 0.25)
    x = np.ones((1, 24, 24, 3), "float32")
    out = np.asarray(supernet.stem(x, inputs["masks"]["Conv1"]))
    kept = int(inputs["masks"]["Conv1"].sum())
    assert kept < out.shape[-1] and (out[..., kept:] == 0).all() and (out[..., :kept] != 0).any()


def test_gated_off_block_is_an_identity(supernet):
    x = np.random.default_rng(2).normal(0, 1, (2, 24, 24, 3)).astype("float32")
    inputs = candidate_inputs(supernet, (1, 0, 0, 0, 0), 0.5)  # stage 3 keeps block 3 only
    before = run(supernet, x, **inputs)
    block = supernet.block(4)["project"]  # gated off: changing it must change nothing
    saved = [v.numpy() for v in block.variables]
    for v in block.variables:
        v.assign(v.numpy() + 1.0)
    after = run(supernet, x, **inputs)
    for v, value in zip(block.variables, saved):
        v.assign(value)
    assert np.array_equal(before, after)
    assert has_residual(4) and inputs["gates"][4] == 0


def test_layer_config_round_trips():
    layer = MaskedConvBN(16, 3, 2, depthwise=False, activation=True, name="x")
    config = layer.get_config()
    assert MaskedConvBN.from_config(config).get_config() == config


def test_extracted_model_saves_and_loads(supernet, tmp_path):
    subnet = extract_subnet(supernet, (1, 1, 0, 0, 0), 0.25)
    subnet.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    x = np.zeros((1, 24, 24, 3), "float32")
    assert np.allclose(np.asarray(loaded(x)), np.asarray(subnet(x)), atol=1e-6)


@pytest.mark.parametrize("size,stride", [(16, 1), (16, 2), (15, 2), (5, 1)])
def test_fast_depthwise_matches_keras_forward_and_backward(size, stride):
    import jax

    layer = keras.layers.DepthwiseConv2D(3, stride, padding="same", use_bias=False)
    x = np.random.default_rng(3).normal(0, 1, (2, size, size, 4)).astype("float32")
    reference = np.asarray(layer(x))
    kernel = layer.kernel.value
    assert np.abs(np.asarray(depthwise_conv(x, kernel, stride)) - reference).max() < 1e-5

    def loss(fn):
        return lambda k, inputs: (fn(k, inputs) ** 2).sum()

    ours = jax.grad(loss(lambda k, i: depthwise_conv(i, k, stride)), argnums=(0, 1))(kernel, x)
    theirs = jax.grad(loss(lambda k, i: layer.stateless_call([k], [], i)[0]), argnums=(0, 1))(kernel, x)
    for a, b in zip(ours, theirs):
        assert np.abs(np.asarray(a) - np.asarray(b)).max() <= 1e-5 * np.abs(np.asarray(b)).max()
