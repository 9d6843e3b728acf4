"""Does the data configuration matter on the built-in person set? A small CNN, two seeds.

    python -m bench.builtin_person_accuracy [--size 10000] [--epochs 12] [--configs 96:rgb,96:mono,32:rgb]

Trains the same plain-convolution CNN (no depthwise layers: XLA:CPU runs them slowly) on each
data configuration with the reference train augmentation, and reports test accuracy per seed.
Writes bench/results/builtin_person_accuracy.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from engine.backend import load_keras
from engine.spec import resolve


def small_cnn(keras, shape):
    inputs = keras.Input(shape)
    x = inputs
    for filters, stride in ((24, 2), (48, 2), (64, 2), (96, 2), (128, 1)):
        x = keras.layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.ReLU()(x)
    x = keras.layers.GlobalMaxPooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(2)(x))


def run(size: int, resolution: int, color: str, seed: int, epochs: int, cache: str) -> dict:
    import jax
    import numpy as np

    from modalities.vision.augment import random_crop_flip
    from modalities.vision.modality import VisionModality

    keras = load_keras()
    keras.utils.set_random_seed(seed)
    _, config = resolve({"dataset": {"source": "builtin_person", "builtin_size": size, "cache_dir": cache},
                         "modality": {"resolutions": [resolution], "color": [color]}})
    modality = VisionModality(config)
    modality.load()
    data_config = {"resolution": resolution, "color": color}
    train, test = modality.arrays("train", data_config), modality.arrays("test", data_config)
    x_test = modality.to_model_input(np.asarray(test.x))
    model = small_cnn(keras, x_test.shape[1:])
    model.compile(keras.optimizers.Adam(2e-3), keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    augment = jax.jit(random_crop_flip)
    rng = np.random.default_rng(seed)
    key = jax.random.PRNGKey(seed)
    start = time.time()
    x_train = modality.to_model_input(np.asarray(train.x))
    for _ in range(epochs):
        order = rng.permutation(len(x_train))
        key, sub = jax.random.split(key)
        x_epoch = np.asarray(augment(x_train[order], sub))
        model.fit(x_epoch, np.asarray(train.y)[order], batch_size=64, epochs=1, verbose=0)
    _, accuracy = model.evaluate(x_test, np.asarray(test.y), verbose=0)
    return {"resolution": resolution, "color": color, "seed": seed, "test_accuracy": round(float(accuracy), 4),
            "train_examples": len(x_train), "seconds": round(time.time() - start, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--configs", default="96:rgb,96:mono,32:rgb,32:mono,128:rgb")
    parser.add_argument("--cache", default=None)
    args = parser.parse_args()
    results = []
    for item in args.configs.split(","):
        resolution, color = item.split(":")
        for seed in map(int, args.seeds.split(",")):
            results.append(run(args.size, int(resolution), color, seed, args.epochs, args.cache))
            print(json.dumps(results[-1]), flush=True)
    out = Path(__file__).parent / "results" / "builtin_person_accuracy.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    print(f"{'config':>10} | " + " | ".join(f"seed {s}" for s in args.seeds.split(",")))
    for item in args.configs.split(","):
        accs = [r["test_accuracy"] for r in results if f"{r['resolution']}:{r['color']}" == item]
        print(f"{item:>10} | " + " | ".join(f"{a:.3f}" for a in accs))


if __name__ == "__main__":
    main()
