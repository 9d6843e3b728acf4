"""Supernet training throughput against keras.applications.MobileNetV2 `fit`.

    python -m bench training [--quick]

Both train the full network (width alpha, 2 classes) with Adam on batches of 64 random rgb
images, no augmentation; images/s is measured after the first (compiling) step. danas's step is
the masked supernet's (channel masks, block gates, six exit heads, depthwise convolutions as
shifted multiply-adds) run through `stateless_call` + `jax.jit`; keras.applications' is `fit`
with the stock layers.
"""

from __future__ import annotations

import numpy as np

from bench.timing import seconds_per_call

BATCH = 64
FULL = [(r, a) for r in (32, 64, 96, 128) for a in (0.35, 1.0)]
QUICK = [(96, 0.35)]


def keras_fit_images_per_second(resolution: int, alpha: float) -> float:
    from engine.backend import load_keras

    keras = load_keras()
    model = keras.applications.MobileNetV2(input_shape=(resolution, resolution, 3), alpha=alpha, weights=None,
                                           classes=2)
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=False))
    x = np.random.default_rng(0).random((BATCH, resolution, resolution, 3), np.float32)
    y = np.zeros(BATCH, np.int32)
    return BATCH / seconds_per_call(lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0))


def supernet_images_per_second(resolution: int, alpha: float) -> float:
    import jax

    from engine.evaluate.optimizers import make_optimizer
    from engine.evaluate.steps import TrainState, make_grad, make_train_step
    from engine.space.mobilenet_arch import SEARCHABLE_STAGES, stage_blocks
    from engine.space.supernet import MobileNetV2Supernet, candidate_inputs
    from engine.spec import resolve

    _, config = resolve({"training": {"optimizer": "adam"}})
    model = MobileNetV2Supernet((resolution, resolution, 3), alpha, 2)
    optimizer = make_optimizer(config.training, 1000)
    step = make_train_step(make_grad(model, None), optimizer)
    trainable = [v.value for v in model.trainable_variables]
    state = [TrainState(trainable, [v.value for v in model.non_trainable_variables], optimizer.init(trainable))]
    largest = candidate_inputs(model, [len(stage_blocks(s)) for s in SEARCHABLE_STAGES], alpha)
    x = np.random.default_rng(0).random((BATCH, resolution, resolution, 3), np.float32)
    y = np.zeros(BATCH, np.int32)
    key = jax.random.PRNGKey(0)

    def call():
        state[0], loss = step(state[0], x, y, (largest,), key)
        jax.block_until_ready(loss)

    return BATCH / seconds_per_call(call)


def run(quick: bool = False) -> dict:
    rows = []
    for resolution, alpha in QUICK if quick else FULL:
        ours = supernet_images_per_second(resolution, alpha)
        reference = keras_fit_images_per_second(resolution, alpha)
        rows.append({"resolution": resolution, "alpha": alpha, "supernet_images_per_s": round(ours, 1),
                     "keras_fit_images_per_s": round(reference, 1), "ratio": round(ours / reference, 2)})
    return {"rows": rows, "goal": "ratio >= 4 at 96 px, alpha 0.35, rgb"}
