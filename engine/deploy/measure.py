"""Figures measured on the deployed form of a system, not estimated:

- int8 predictions from the LiteRT interpreter (`ai-edge-litert`) with its reference kernels
  (the same int8 outputs as TFLite Micro's), on inputs quantised with the model's own input
  scale and zero point, as firmware would;
- the arena TFLite Micro needs: the smallest `arena_size` at which a real TFLite Micro
  interpreter (`tflite-micro`'s Python runtime, reference kernels) allocates every tensor, found
  by bisection to `ARENA_STEP` bytes. Measured on this host (64-bit pointers); a 32-bit
  microcontroller's persistent structures are somewhat smaller, and optimised kernels (CMSIS-NN)
  may ask for other scratch buffers, so firmware keeps a margin.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

import numpy as np

ARENA_STEP = 16  # TFLite Micro aligns its allocations to 16 bytes


@dataclass(frozen=True, kw_only=True)
class InputQuantization:
    """q = round(x / scale) + zero_point, clipped to int8."""

    scale: float
    zero_point: int

    def quantize(self, x: np.ndarray) -> np.ndarray:
        """Example:
            >>> InputQuantization(scale=0.5, zero_point=-1).quantize(np.array([0.0, 1.0, 100.0]))
            array([ -1,   1, 127], dtype=int8)
        """
        q = np.round(np.asarray(x, np.float64) / self.scale) + self.zero_point
        return np.clip(q, -128, 127).astype(np.int8)


def input_quantization(model: bytes) -> InputQuantization:
    """The input tensor's quantisation parameters of an int8 .tflite."""
    interpreter = _litert(model)
    scale, zero_point = interpreter.get_input_details()[0]["quantization"]
    return InputQuantization(scale=float(scale), zero_point=int(zero_point))


def int8_predictions(model: bytes, x: np.ndarray, batch: int = 64) -> np.ndarray:
    """Class indices the int8 model predicts for float inputs `x` [N, ...] (quantised here)."""
    interpreter = _litert(model)
    detail = interpreter.get_input_details()[0]
    scale, zero_point = detail["quantization"]
    quant = InputQuantization(scale=float(scale), zero_point=int(zero_point))
    output = interpreter.get_output_details()[0]["index"]
    predictions = []
    for start in range(0, len(x), batch):
        chunk = quant.quantize(x[start:start + batch])
        interpreter.resize_tensor_input(detail["index"], chunk.shape)
        interpreter.allocate_tensors()
        interpreter.set_tensor(detail["index"], chunk)
        interpreter.invoke()
        predictions.append(np.argmax(interpreter.get_tensor(output), axis=-1))
    return np.concatenate(predictions) if predictions else np.zeros(0, np.int64)


def tflm_arena_bytes(model: bytes, limit: int = 64 << 20) -> int:
    """The smallest arena (a multiple of ARENA_STEP) at which TFLite Micro allocates the model."""
    if not _tflm_allocates(model, limit):
        raise ValueError(f"TFLite Micro could not allocate this model in {limit} bytes")
    low, high = 0, limit  # low fails (or is 0), high allocates
    while high - low > ARENA_STEP:
        middle = (low + high) // 2 // ARENA_STEP * ARENA_STEP
        if middle <= low:
            break
        low, high = (low, middle) if _tflm_allocates(model, middle) else (middle, high)
    return high


def tflm_invoke(model: bytes, x_int8: np.ndarray, arena: int) -> np.ndarray:
    """One example through TFLite Micro (the check that the deployed form runs)."""
    from tflite_micro import runtime

    with _quiet_stderr():
        interpreter = runtime.Interpreter.from_bytes(model, arena_size=arena)
    interpreter.set_input(x_int8[None], 0)
    interpreter.invoke()
    return np.asarray(interpreter.get_output(0))


def _tflm_allocates(model: bytes, arena: int) -> bool:
    from tflite_micro import runtime

    try:
        with _quiet_stderr():  # a failed allocation is reported on C's stderr before the exception
            runtime.Interpreter.from_bytes(model, arena_size=arena)
    except RuntimeError:
        return False
    return True


def _litert(model: bytes):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    # the reference kernels: their int8 outputs are TFLite Micro's bit for bit (measured), where
    # the optimised ones (and XNNPACK) round some outputs 1 step apart
    return Interpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)


@contextlib.contextmanager
def _quiet_stderr():
    saved = os.dup(2)
    with open(os.devnull, "wb") as null:
        os.dup2(null.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
