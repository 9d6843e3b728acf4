"""eSpeak NG through ctypes: synthesize a word with a given voice, pitch and rate.

The library and its voices come from the `espeakng-loader` wheel (`pip install danas[speech]`;
eSpeak NG is GPL-3.0 and is used only to generate the built-in set). The engine keeps global
state, so each process initialises it once and synthesizes one word at a time.

eSpeak NG draws the noise of some voices (breath, aspiration of the Klatt variants) from the C
library's rand() and from a generator of its own, both seeded from the clock: unseeded, the
same word in the same voice came out different in every process (two cold generations of the
built-in speech set differed in their clips, so kws_small's trials differed from one fresh
cache to the next). `say` seeds both with its own seed first. The engine also keeps state
between words (its pitch flutter advances with every sample), so a clip still depends on the
words said before it in the process: the set says fixed groups of speakers, each in a fresh
process (speech_dataset.py).
"""

from __future__ import annotations

import ctypes
from functools import lru_cache

import numpy as np

from danas.errors import DataError

AUDIO_OUTPUT_SYNCHRONOUS = 2
POS_CHARACTER = 1
ESPEAK_CHARS_AUTO = 0
RATE, VOLUME, PITCH, RANGE = 1, 2, 3, 4
INSTALL_HINT = ("the built-in speech set is generated with eSpeak NG; install it with "
                "pip install 'danas[speech]' (the espeakng-loader wheel), or point "
                "dataset.path at a Speech Commands v0.02 copy")

_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class Espeak:
    """One initialised eSpeak NG engine (per process)."""

    def __init__(self):
        try:
            import espeakng_loader
        except ImportError:
            raise DataError(INSTALL_HINT) from None
        self.lib = ctypes.cdll.LoadLibrary(espeakng_loader.get_library_path())
        data_path = espeakng_loader.get_data_path().encode()
        self.sample_rate = self.lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, 0)
        if self.sample_rate <= 0:
            raise DataError(f"eSpeak NG failed to start (code {self.sample_rate}); {INSTALL_HINT}")
        self._chunks: list[np.ndarray] = []
        self.libc = _libc()
        self._callback = _CALLBACK(self._collect)  # kept alive as long as the engine
        self.lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, wav, count, _events) -> int:
        if count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0

    def say(self, text: str, voice: str, pitch: int, pitch_range: int, rate: int, seed: int) -> np.ndarray:
        """The spoken `text` as float32 samples at `self.sample_rate`; `seed` seeds the voice's
        noise. The samples still depend on the words said before in this process (see the
        module note): the same calls in the same order from a fresh process give the same
        samples."""
        if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise DataError(f"eSpeak NG has no voice {voice!r}")
        for parameter, value in ((RATE, rate), (PITCH, pitch), (RANGE, pitch_range), (VOLUME, 100)):
            self.lib.espeak_SetParameter(parameter, value, 0)
        self._chunks = []
        self.libc.srand(ctypes.c_uint(seed & 0xFFFFFFFF))
        self.lib.espeak_ng_SetRandSeed(ctypes.c_long(seed & 0x7FFFFFFF))
        encoded = text.encode() + b"\0"
        self.lib.espeak_Synth(encoded, len(encoded), 0, POS_CHARACTER, 0, ESPEAK_CHARS_AUTO, None, None)
        self.lib.espeak_Synchronize()
        samples = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)
        return samples.astype(np.float32) / 32768.0


def _libc() -> ctypes.CDLL:
    """This process's C library, whose rand() eSpeak NG calls (POSIX: Linux, macOS)."""
    try:
        return ctypes.CDLL(None)
    except (OSError, TypeError):
        raise DataError("the built-in speech set seeds eSpeak NG through the C library's srand(), which "
                        "only a POSIX system (Linux, macOS) exposes this way; generate it there, or point "
                        "dataset.path at a Speech Commands v0.02 copy") from None


@lru_cache(maxsize=1)
def engine() -> Espeak:
    """This process's engine."""
    return Espeak()
