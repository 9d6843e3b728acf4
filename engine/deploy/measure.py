"""Figures measured on the deployed form of a system, not estimated:

- int8 predictions from the LiteRT interpreter (`ai-edge-litert`) with its reference kernels
  (the same int8 outputs as TFLite Micro's), on inputs quantised with the model's own input
  scale and zero point, as firmware would;
- the arena TFLite Micro needs: the total its recording allocator reports for a real TFLite
  Micro interpreter (`tflite-micro`'s Python runtime, reference kernels), which is the smallest
  `arena_size` at which it allocates every tensor (checked by bisection on the models of
  bench/tflm_arena.py, where the binding did not crash). Measured on this host (64-bit pointers); a 32-bit
  microcontroller's persistent structures are somewhat smaller, and optimised kernels (CMSIS-NN)
  may ask for other scratch buffers, so firmware keeps a margin.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from dataclasses import dataclass

import numpy as np

ARENA_STEP = 16  # TFLite Micro aligns its allocations to 16 bytes
ARENA_LIMIT = 64 << 20  # the arena the allocations are recorded in: more than any MCU model needs
_ALLOCATION = re.compile(r"'(?P<kind>[^']+)' used (?P<used>\d+) bytes .*?requested \d+ bytes for (?P<n>\d+)")


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


def int8_outputs(model: bytes, x_int8: np.ndarray, batch: int = 64) -> np.ndarray:
    """The int8 model's raw outputs for already quantised inputs `x_int8` [N, ...]."""
    interpreter = _litert(model)
    index, output = interpreter.get_input_details()[0]["index"], interpreter.get_output_details()[0]["index"]
    outputs = []
    for start in range(0, len(x_int8), batch):
        chunk = x_int8[start:start + batch]
        interpreter.resize_tensor_input(index, chunk.shape)
        interpreter.allocate_tensors()
        interpreter.set_tensor(index, chunk)
        interpreter.invoke()
        outputs.append(interpreter.get_tensor(output).copy())
    return np.concatenate(outputs) if outputs else np.zeros((0,), np.int8)


def tflm_matches_litert(model: bytes, x_int8: np.ndarray, arena: int) -> bool:
    """Whether TFLite Micro, run one example at a time in `arena` bytes, gives LiteRT's int8
    outputs bit for bit on the quantised inputs `x_int8`."""
    expected = int8_outputs(model, x_int8)
    return all(np.array_equal(want, tflm_invoke(model, sample, arena)[0]) for want, sample in zip(expected, x_int8))


def tflm_arena_bytes(model: bytes) -> int:
    """The arena TFLite Micro needs: its recording allocator's total at a generous arena (head:
    the planned tensors; tail: persistent structures), confirmed by allocating at exactly that
    size. (Not found by bisection: the tflite-micro 0.dev20261023 binding can crash, not raise,
    at some sizes that are too small.)"""
    total = tflm_allocations(model)["total"]
    if not _tflm_allocates(model, total):
        raise ValueError(f"TFLite Micro reported an arena of {total} bytes but could not allocate in it")
    return total


def tflm_allocations(model: bytes, arena: int = ARENA_LIMIT) -> dict:
    """The recording allocator's report (printed on C's stderr, read back here): 'total', 'head'
    and 'tail' bytes, and per kind of persistent allocation its bytes used and count."""
    from tflite_micro import runtime

    interpreter = runtime.Interpreter.from_bytes(model, arena_size=arena)
    with _captured_stderr() as read:
        interpreter.print_allocations()
    text = read()
    report = {key: int(re.search(rf"allocation {key} (\d+) bytes", text).group(1)) for key in ("total", "head", "tail")}
    report["kinds"] = {m["kind"]: {"used": int(m["used"]), "count": int(m["n"])} for m in _ALLOCATION.finditer(text)}
    return report


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
def _captured_stderr():
    """Collects what C code writes to stderr; yields a function that returns it."""
    saved = os.dup(2)
    capture = tempfile.TemporaryFile()
    os.dup2(capture.fileno(), 2)
    text: list[str] = []
    try:
        yield lambda: text[0]
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        capture.seek(0)
        text.append(capture.read().decode(errors="replace"))
        capture.close()


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
