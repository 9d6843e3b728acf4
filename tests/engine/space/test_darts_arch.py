"""The DARTS cell space: derivation, the estimator's op list against the Keras models built
from the same rules, alignment geometry and the channel shuffle."""

from __future__ import annotations

import numpy as np
import pytest

from engine.space.darts.arch import build_derived, cell_channels, edge_cost_tables, op_cost
from engine.space.darts.derived_network import derived_model
from engine.space.darts.genotype import Genotype, cell_edges, derive, reduction_cells
from engine.space.darts.search_network import (DartsSearchNetwork, aligned_shape, channel_shuffle,
                                               preprocess_geometry, zero_arch)

ALL_OPS = ["none", "max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5",
           "dil_conv_3x3", "dil_conv_5x5"]


def random_genotype(seed: int, nodes: int) -> Genotype:
    rng = np.random.default_rng(seed)
    arch = {k: rng.normal(size=v.shape) for k, v in zero_arch(len(cell_edges(nodes)), len(ALL_OPS)).items()}
    return derive(arch, ALL_OPS, nodes)


@pytest.mark.parametrize("seed,shape,cells,nodes", [(0, (49, 10, 1), 5, 4), (1, (24, 24, 3), 3, 2),
                                                    (2, (17, 9, 1), 4, 3)])
def test_the_estimator_counts_the_parameters_keras_builds(seed, shape, cells, nodes):
    genotype = random_genotype(seed, nodes)
    network = build_derived(shape, genotype, 8, cells, 12)
    model = derived_model(shape, genotype, 8, cells, 12)
    assert sum(op.bn_params for op in network.ops) == model.count_params()
    assert network.ops[-1].out_shape == (12,)
    # every tensor the estimator names has the shape Keras gives the layer of that name
    layers = {layer.name: layer for layer in model.layers}
    checked = 0
    for op in network.ops:
        if op.kind in ("conv", "add", "concat") and op.name in layers:
            assert tuple(layers[op.name].output.shape[1:]) == op.out_shape, op.name
            checked += 1
    assert checked >= len([op for op in network.ops if op.kind == "conv"])


def test_every_derived_node_has_two_distinct_inputs_and_no_none():
    for seed in range(20):
        genotype = random_genotype(seed, 4)
        for cell in (genotype.normal, genotype.reduce):
            for node, edges in enumerate(cell):
                assert len({k for _, k in edges}) == 2 and all(k < node + 2 for _, k in edges)
                assert all(op != "none" for op, _ in edges)
        assert Genotype.from_json(genotype.to_json()) == genotype


def test_derived_model_saves_and_reloads(tmp_path):
    from engine.backend import load_keras

    model = derived_model((20, 10, 1), random_genotype(3, 2), 4, 3, 5)
    x = np.random.default_rng(0).normal(size=(2, 20, 10, 1)).astype(np.float32)
    model.save(tmp_path / "m.keras")
    again = load_keras().models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


def test_reductions_double_channels_at_one_and_two_thirds():
    assert reduction_cells(8) == (2, 5)
    assert cell_channels(16, 8) == [(16, False), (16, False), (32, True), (32, False), (32, False),
                                    (64, True), (64, False), (64, False)]


@pytest.mark.parametrize("size,target", [(98, 49), (79, 49), (96, 32), (64, 32), (61, 49), (10, 10), (13, 5)])
def test_preprocess_geometry_lands_on_the_target(size, target):
    kernel, stride = preprocess_geometry(size, target)
    assert 1 <= kernel <= size and (size - kernel) // stride + 1 == target


def test_alignment_shapes():
    assert aligned_shape([(96, 96, 3), (32, 32, 1), (64, 64, 3)], "zero_pad") == (96, 96, 3)
    assert aligned_shape([(96, 96, 3), (32, 32, 1), (64, 64, 3)], "preprocess") == (32, 32, 3)


def test_channel_shuffle_interleaves_the_groups():
    x = np.arange(8, dtype=np.float32).reshape(1, 1, 1, 8)
    out = np.asarray(channel_shuffle(x, 2)).ravel()
    assert out.tolist() == [0, 4, 1, 5, 2, 6, 3, 7]


@pytest.mark.parametrize("alignment", ["zero_pad", "preprocess"])
def test_search_network_mixes_every_configuration_or_takes_the_chosen_one(alignment):
    shapes = [(12, 10, 1), (8, 10, 1)]
    net = DartsSearchNetwork(shapes, ["none", "skip_connect", "sep_conv_3x3"], 3, 4, 2, 2, 5, alignment)
    net.build_all()
    xs = [np.ones((2, *s), np.float32) for s in shapes]
    arch = zero_arch(5, 3)
    assert net(xs, np.array([0.5, 0.5], np.float32), arch).shape == (2, 5)
    assert net([xs[1]], None, arch, chosen=1).shape == (2, 5)


def test_op_costs_of_the_penalty():
    assert op_cost("none", (8, 8, 4), 4, 1) == (0, 0)
    assert op_cost("skip_connect", (8, 8, 4), 4, 1) == (0, 0)
    assert op_cost("skip_connect", (8, 8, 4), 4, 2) == (4 * 4 + 4, 16 * 16)  # the strided projection
    tables = edge_cost_tables((16, 16, 1), ["none", "sep_conv_5x5", "sep_conv_3x3"], 4, 3, 2)
    for kind in tables:
        for edge in tables[kind]:
            assert edge[0] == (0, 0) and edge[1][0] > edge[2][0] > 0


@pytest.mark.parametrize("kernel,dilation,shape", [(3, 2, (13, 10)), (5, 2, (9, 7)), (3, 1, (8, 5)), (5, 1, (6, 6))])
def test_fast_dilated_depthwise_equals_the_keras_layer(kernel, dilation, shape):
    import jax

    from engine.backend import load_keras
    from engine.space.depthwise import depthwise_conv

    layer = load_keras().layers.DepthwiseConv2D(kernel, 1, padding="same", dilation_rate=dilation, use_bias=False)
    x = np.random.default_rng(0).normal(size=(2, *shape, 3)).astype(np.float32)
    reference = np.asarray(layer(x))
    np.testing.assert_allclose(np.asarray(depthwise_conv(x, layer.kernel.value, 1, dilation)), reference, atol=1e-5)
    grads = [jax.grad(lambda k, f=f: (f(k) ** 2).sum())(layer.kernel.value) for f in (
        lambda k: depthwise_conv(x, k, 1, dilation),
        lambda k: layer.stateless_call([k], [], x)[0])]
    np.testing.assert_allclose(np.asarray(grads[0]), np.asarray(grads[1]), rtol=1e-4, atol=1e-4)


def test_the_fast_training_twin_exports_to_the_stock_model():
    from engine.space.darts.derived_network import to_stock

    genotype = random_genotype(5, 2)
    fast = derived_model((15, 10, 1), genotype, 4, 3, 5, fast=True)
    stock = to_stock(fast, (15, 10, 1), genotype, 4, 3, 5)
    assert {type(layer).__name__ for layer in stock.layers} & {"FastDepthwiseConv2D"} == set()
    assert "FastDepthwiseConv2D" in {type(layer).__name__ for layer in fast.layers}
    x = np.random.default_rng(1).normal(size=(3, 15, 10, 1)).astype(np.float32)
    np.testing.assert_allclose(stock.predict(x, verbose=0), fast.predict(x, verbose=0), atol=1e-5)
