"""DARTS operations as chains of stock Keras layers, shared by the search network (batch norm
without affine parameters, as DARTS searches) and the derived network (full batch norm).

The rules, and why they differ from DARTS in two places, are in `arch.py`.
"""

from __future__ import annotations

from engine.backend import load_keras
from engine.space.depthwise import depthwise_conv

keras = load_keras()
BN_MOMENTUM = 0.9


class FastDepthwiseConv2D(keras.layers.DepthwiseConv2D):
    """DepthwiseConv2D computed as shifted multiply-adds (engine/space/depthwise.py): same
    weights, same result, several times faster under XLA:CPU. Used for training only; the
    exported model gets the stock layer with these weights (`to_stock`)."""

    def call(self, inputs):
        return depthwise_conv(inputs, self.kernel, self.strides[0], self.dilation_rate[0])


def batch_norm(name: str, affine: bool) -> keras.layers.Layer:
    return keras.layers.BatchNormalization(momentum=BN_MOMENTUM, center=affine, scale=affine, name=name)


class OpChain:
    """One operation: stock layers applied in order (batch norm gets the training flag).

    Example:
        >>> chain = OpChain("sep_conv_3x3", 4, 2, "e0", affine=True)
        >>> [type(layer).__name__ for layer in chain.layers][:4]
        ['ReLU', 'DepthwiseConv2D', 'Conv2D', 'BatchNormalization']
    """

    def __init__(self, op: str, channels: int, stride: int, name: str, affine: bool, fast: bool = False):
        self.op = op
        self.layers = op_layers(op, channels, stride, name, affine, fast)

    def __call__(self, x, training=None):
        return apply_layers(self.layers, x, training)


def apply_layers(layers: list, x, training=None):
    """Applies layers in order; batch norm gets the training flag."""
    for layer in layers:
        x = layer(x, training=training) if isinstance(layer, keras.layers.BatchNormalization) else layer(x)
    return x


def op_layers(op: str, channels: int, stride: int, name: str, affine: bool, fast: bool = False) -> list:
    """The layers of one operation; an identity skip has none. `fast` uses FastDepthwiseConv2D."""
    layers = keras.layers
    depthwise = FastDepthwiseConv2D if fast else layers.DepthwiseConv2D
    if op == "skip_connect":
        return [] if stride == 1 else projection_layers(channels, stride, name, affine)
    if op in ("max_pool_3x3", "avg_pool_3x3"):
        pool = layers.MaxPooling2D if op.startswith("max") else layers.AveragePooling2D
        # DARTS normalises pooled edges during the search only, so they compete on one scale.
        return [pool(3, stride, padding="same", name=f"{name}_pool")] + ([] if affine else [batch_norm(f"{name}_bn", False)])
    kernel = int(op[-1])
    if op.startswith("sep_conv"):
        out = []
        for part, s in (("a", stride), ("b", 1)):
            out += [layers.ReLU(name=f"{name}_{part}_relu"),
                    depthwise(kernel, s, padding="same", use_bias=False, name=f"{name}_{part}_dw"),
                    layers.Conv2D(channels, 1, use_bias=False, name=f"{name}_{part}_pw"),
                    batch_norm(f"{name}_{part}_pw_bn", affine)]
        return out
    if op.startswith("dil_conv"):
        return [layers.ReLU(name=f"{name}_relu"),
                depthwise(kernel, 1, padding="same", dilation_rate=2, use_bias=False, name=f"{name}_dw"),
                layers.Conv2D(channels, 1, stride, padding="same", use_bias=False, name=f"{name}_pw"),
                batch_norm(f"{name}_pw_bn", affine)]
    raise ValueError(f"unknown DARTS operation {op!r}; expected one of the schema's search_space.ops")


def projection_layers(channels: int, stride: int, name: str, affine: bool) -> list:
    layers = keras.layers
    return [layers.ReLU(name=f"{name}_relu"),
            layers.Conv2D(channels, 1, stride, padding="same", use_bias=False, name=f"{name}_conv"),
            batch_norm(f"{name}_conv_bn", affine)]


def stem_layers(channels: int, affine: bool = True) -> list:
    return [keras.layers.Conv2D(channels, 3, padding="same", use_bias=False, name="stem"),
            batch_norm("stem_bn", affine)]
