"""Does the front-end matter on the built-in speech set? A small DS-CNN, two seeds.

    python -m bench.builtin_speech_accuracy [--size 6000] [--epochs 15] [--configs 480:320,400:160]

The 12-class MLPerf Tiny task (10 keywords, silence, unknown) on the generated eSpeak NG set:
a depthwise-separable CNN like the MLPerf Tiny DS-CNN (conv 10x4 / 2, then 4 depthwise-
separable blocks of 64 channels), trained on the cached MFCC features (clean + augmented
copies), test accuracy per seed. Writes bench/results/builtin_speech_accuracy.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from engine.backend import load_keras
from engine.spec import resolve


def ds_cnn(keras, shape, classes):
    inputs = keras.Input(shape)
    x = keras.layers.Conv2D(64, (10, 4), strides=(2, 2), padding="same", use_bias=False)(inputs)
    x = keras.layers.ReLU()(keras.layers.BatchNormalization()(x))
    for _ in range(4):
        x = keras.layers.DepthwiseConv2D(3, padding="same", use_bias=False)(x)
        x = keras.layers.ReLU()(keras.layers.BatchNormalization()(x))
        x = keras.layers.Conv2D(64, 1, use_bias=False)(x)
        x = keras.layers.ReLU()(keras.layers.BatchNormalization()(x))
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(classes)(x))


def run(size: int, window: int, hop: int, seed: int, epochs: int, cache: str | None) -> dict:
    import numpy as np

    from modalities.audio.modality import AudioModality

    keras = load_keras()
    keras.utils.set_random_seed(seed)
    _, config = resolve({"dataset": {"source": "builtin_speech", "builtin_size": size, "cache_dir": cache},
                         "modality": {"type": "audio", "window": [window], "hop": [hop], "mel_bins": [40],
                                      "n_mfcc": [10]}})
    modality = AudioModality(config)
    modality.load()
    data_config = modality.data_configs()[0]
    train, test = modality.arrays("train", data_config), modality.arrays("test", data_config)
    model = ds_cnn(keras, train.x.shape[1:], len(modality.info.classes))
    model.compile(keras.optimizers.Adam(2e-3), keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    start = time.time()
    model.fit(np.asarray(train.x), np.asarray(train.y), batch_size=64, epochs=epochs, verbose=0, shuffle=True)
    _, accuracy = model.evaluate(np.asarray(test.x), np.asarray(test.y), verbose=0)
    return {"window": window, "hop": hop, "seed": seed, "test_accuracy": round(float(accuracy), 4),
            "train_examples": len(train.y), "test_examples": len(test.y), "seconds": round(time.time() - start, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=6000)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--configs", default="480:320,400:160")
    parser.add_argument("--cache", default=None)
    args = parser.parse_args()
    results = []
    for item in args.configs.split(","):
        window, hop = map(int, item.split(":"))
        for seed in map(int, args.seeds.split(",")):
            results.append(run(args.size, window, hop, seed, args.epochs, args.cache))
            print(json.dumps(results[-1]), flush=True)
    out = Path(__file__).parent / "results" / "builtin_speech_accuracy.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    print(f"{'window/hop':>10} | " + " | ".join(f"seed {s}" for s in args.seeds.split(",")))
    for item in args.configs.split(","):
        window, hop = map(int, item.split(":"))
        accs = [r["test_accuracy"] for r in results if (r["window"], r["hop"]) == (window, hop)]
        print(f"{item:>10} | " + " | ".join(f"{a:.3f}" for a in accs))


if __name__ == "__main__":
    main()
