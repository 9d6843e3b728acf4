"""Full-integer int8 conversion of a saved `.keras` model, in a process of its own:

    KERAS_BACKEND=tensorflow python -m engine.deploy.convert MODEL.keras SAMPLES.npy OUT.tflite

Keras's LiteRT path needs the TensorFlow backend, while danas trains on JAX, so the exporter
(`engine.deploy.export`) runs this module in a subprocess that loads the file (stock layers
only, so it round-trips) and converts it with TensorFlow's converter:
- post-training quantisation calibrated on SAMPLES.npy (float32, a few hundred inputs of the
  system's own data configuration, preprocessed exactly as in the run);
- int8 input and output tensors, and only TFLite's built-in int8 ops: an op a microcontroller
  cannot run fails the conversion instead of slipping through as a float or TensorFlow op.
Imports neither JAX nor the rest of danas.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

def convert(model_path: Path, samples_path: Path, out_path: Path) -> int:
    """Writes the int8 .tflite; returns its size in bytes."""
    import keras
    import numpy as np
    import tensorflow as tf

    model = keras.models.load_model(model_path, compile=False)
    samples = np.load(samples_path).astype(np.float32)

    def representative():  # one example at a time, as TFLite runs them
        for sample in samples:
            yield [sample[None]]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    data = converter.convert()
    out_path.write_bytes(data)
    return len(data)


def main(argv: list[str]) -> int:
    if os.environ.get("KERAS_BACKEND") != "tensorflow":
        print("engine.deploy.convert: run with KERAS_BACKEND=tensorflow", file=sys.stderr)
        return 2
    model, samples, out = (Path(a) for a in argv)
    print(convert(model, samples, out))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.exit(main(sys.argv[1:]))
