"""The derived DARTS network as a functional Keras model of stock layers (exportable, .keras).

Built by the rules of `arch.py` (a test checks that its parameter count equals the
estimator's), with full batch norm, trained from scratch on the chosen data configuration's
own input shape: alignment was a device of the search, not part of the deployed system.
"""

from __future__ import annotations

from typing import Sequence

from engine.backend import load_keras
from engine.space.darts.arch import STEM_MULTIPLIER, cell_channels
from engine.space.darts.genotype import Genotype
from engine.space.darts.layers import OpChain, projection_layers, stem_layers

keras = load_keras()


def derived_model(input_shape: Sequence[int], genotype: Genotype, channels: int, cells: int, classes: int,
                  name: str = "danas_darts", fast: bool = False) -> keras.Model:
    """The network of `genotype`; its layer names follow `arch.build_derived`'s op names.

    `fast` builds the training twin (FastDepthwiseConv2D); `to_stock` gives the exportable model.
    """
    inputs = keras.Input(tuple(input_shape), name="input")
    x = _apply(stem_layers(STEM_MULTIPLIER * channels), inputs)
    s0 = s1 = x
    reduction_prev = False
    for index, (c, reduction) in enumerate(cell_channels(channels, cells)):
        prefix = f"cell{index}"
        states = [_apply(projection_layers(c, 2 if reduction_prev else 1, f"{prefix}_pre0", True), s0),
                  _apply(projection_layers(c, 1, f"{prefix}_pre1", True), s1)]
        for node, edges in enumerate(genotype.reduce if reduction else genotype.normal):
            outs = [OpChain(op, c, 2 if reduction and k < 2 else 1, f"{prefix}_n{node}_e{k}", True, fast)(states[k])
                    for op, k in edges]
            states.append(outs[0] if len(outs) == 1 else keras.layers.Add(name=f"{prefix}_n{node}_add")(outs))
        s0, s1 = s1, keras.layers.Concatenate(name=f"{prefix}_out")(states[2:])
        reduction_prev = reduction
    x = keras.layers.GlobalAveragePooling2D(name="pool")(s1)
    return keras.Model(inputs, keras.layers.Dense(classes, name="logits")(x), name=name)


def to_stock(model: keras.Model, input_shape: Sequence[int], genotype: Genotype, channels: int, cells: int,
             classes: int) -> keras.Model:
    """The stock-layer model with the (fast twin's) trained weights: same layers, same order."""
    stock = derived_model(input_shape, genotype, channels, cells, classes, name=model.name)
    stock.set_weights(model.get_weights())
    return stock


def _apply(layers: list, x):
    for layer in layers:
        x = layer(x)
    return x
