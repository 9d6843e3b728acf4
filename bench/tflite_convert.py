"""Converts .keras models to int8 TFLite and measures them (run with a Python that has
TensorFlow: the `tflite` extra, or any TensorFlow >= 2.16 environment).

    python bench/tflite_convert.py FOLDER

For every FOLDER/*.keras (with FOLDER/*.input.npy, a few representative inputs) writes
FOLDER/*.tflite and FOLDER/*.tflite.json: file bytes, and the arena a TFLite Micro memory
planner needs at least: the peak over the interpreter's execution order of the bytes of live
non-constant tensors (a tensor lives from the op that writes it to the last op that reads it;
the model input from the start, as TFLite keeps it allocated), plus each tensor's bytes.
Standalone (no danas imports), so it runs in a TensorFlow-only environment.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def convert(model_path: Path) -> Path:
    import keras

    model = keras.models.load_model(model_path)
    samples = np.load(model_path.with_suffix(".input.npy"))
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([s[None].astype(np.float32)] for s in samples)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    out = model_path.with_suffix(".tflite")
    out.write_bytes(converter.convert())
    return out


def arena(tflite_path: Path) -> dict:
    interpreter = tf.lite.Interpreter(  # the builtin kernels, not XNNPACK's fused DELEGATE op
        model_path=str(tflite_path),
        experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interpreter.allocate_tensors()
    tensors = {t["index"]: t for t in interpreter.get_tensor_details()}
    ops = interpreter._get_ops_details()
    constant = set()
    for op in ops:
        for index in op["inputs"]:
            if index >= 0 and _is_constant(interpreter, tensors, index, ops):
                constant.add(index)
    size = {i: int(np.prod(t["shape"])) * np.dtype(t["dtype"]).itemsize for i, t in tensors.items()}
    model_input = interpreter.get_input_details()[0]["index"]
    last_use, first_def = {}, {model_input: -1}
    for position, op in enumerate(ops):
        for index in op["inputs"]:
            if index >= 0 and index not in constant:
                last_use[index] = position
        for index in op["outputs"]:
            first_def.setdefault(index, position)
    peak, peak_op = 0, ""
    for position, op in enumerate(ops):
        live = [i for i in first_def if first_def[i] <= position and (last_use.get(i, first_def[i]) >= position
                                                                        or i == model_input)]
        total = sum(size[i] for i in live)
        if total > peak:
            peak, peak_op = total, op["op_name"]
    kinds = sorted({op["op_name"] for op in ops})
    buffers = sum(size[i] for i in constant)
    quantisation = sum(4 * len(t["quantization_parameters"]["scales"]) + 8 * len(t["quantization_parameters"]["zero_points"])
                       for t in tensors.values())
    return {"tflite_bytes": tflite_path.stat().st_size, "constant_tensor_bytes": buffers, "tensors": len(tensors),
            "quantisation_bytes": quantisation, "arena_peak_bytes": peak, "peak_op": peak_op, "ops": len(ops),
            "op_kinds": kinds}


def _is_constant(interpreter, tensors, index, ops) -> bool:
    produced = any(index in op["outputs"] for op in ops)
    is_input = index in [d["index"] for d in interpreter.get_input_details()]
    return not produced and not is_input


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    for path in sorted(folder.glob("*.keras")):
        result = arena(convert(path))
        path.with_suffix(".tflite.json").write_text(json.dumps(result))
        print(path.name, json.dumps(result))
