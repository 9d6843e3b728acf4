"""Writes the built-in keyword-spotting set in the Speech Commands v0.02 layout.

Speakers are (accent, voice variant, base pitch, pitch range, rate); each says the 10 keywords
and 10 of the other 25 words, with per-utterance jitter. Clips are trimmed, resampled to
16 kHz, band-limited (a microphone's colouring), sometimes reverberated, placed at random in
1 s, scaled to a random level and given a noise floor at 15-40 dB SNR. Splits are
speaker-disjoint, as in the real lists. `_background_noise_/` gets generated noises.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import numpy as np

from modalities.audio.builtin.espeak import engine
from modalities.audio.speech_labels import KEYWORDS, WORDS
from modalities.audio.wav import resample, write_wav
from modalities.parallel import isolated_map

VERSION = 2  # 2: eSpeak NG's noise seeded per clip (version 1 differed between generations)
RATE = 16000
ACCENTS = ("en", "en-US", "en-GB-x-rp", "en-GB-scotland", "en-029", "en-US-nyc",
           "en-GB-x-gbclan", "en-GB-x-gbcwmd")
VARIANTS = ("f1", "f2", "f3", "f4", "f5", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "Alex",
            "Andrea", "Andy", "Annie", "Denis", "Gene", "Hugo", "Lee", "Mario", "Michael", "Reed",
            "adam", "anika", "aunty", "belinda", "benjamin", "caleb", "david", "ed", "edward",
            "grandma", "grandpa", "ian", "john", "linda", "max", "norbert", "paul", "quincy",
            "rob", "robert", "shelby", "steph", "travis")
AUX_WORDS = tuple(w for w in WORDS if w not in KEYWORDS)
AUX_PER_SPEAKER = 10
# Speakers synthesized in one process, in order: eSpeak NG keeps state between words (its
# pitch flutter advances with every sample, and no call resets it), so a clip depends on the
# words said before it in its process. Fixed groups, each in a fresh process, make the set the
# same whatever the number of workers or CPUs.
SPEAKERS_PER_PROCESS = 16
SPLIT_PERCENT = {"validation": 10, "test": 10}


def builtin_speech_folder(cache: Path, size: int, seed: int = 0) -> Path:
    """Where the set of about `size` clips lives in the cache (generated on first use)."""
    folder = cache / "builtin" / f"speech-v{VERSION}-n{size}-s{seed}"
    if not (folder / "done").exists():
        generate_speech_dataset(folder, size, seed)
    return folder


def speaker_id(seed: int, index: int) -> str:
    return hashlib.sha256(f"{seed}-{index}".encode()).hexdigest()[:8]


def clip_seed(*parts) -> int:
    """The seed of one synthesized clip's voice noise, from what identifies the clip.

    Example:
        >>> clip_seed(0, 3, "yes") == clip_seed(0, 3, "yes") != clip_seed(0, 3, "no")
        True
    """
    return int(hashlib.sha256(repr(parts).encode()).hexdigest()[:8], 16)


def split_of(speaker: str) -> str:
    """Speaker-disjoint split, from a hash of the speaker id (as Speech Commands does)."""
    bucket = int(speaker, 16) % 100
    if bucket < SPLIT_PERCENT["validation"]:
        return "validation"
    return "test" if bucket < sum(SPLIT_PERCENT.values()) else "train"


def generate_speech_dataset(folder: Path, size: int, seed: int = 0, workers: int | None = None) -> None:
    """Generates about `size` clips into `folder` (temporary folder, then renamed)."""
    speakers = max(10, size // (len(KEYWORDS) + AUX_PER_SPEAKER))
    tmp = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    groups = [(seed, tuple(range(start, min(start + SPEAKERS_PER_PROCESS, speakers))))
              for start in range(0, speakers, SPEAKERS_PER_PROCESS)]
    lists = {"validation": [], "test": []}
    results = isolated_map(_group_clips, [*groups, (seed, None)], workers)
    noises = results.pop()
    for clips in results:
        for relative, data in clips:
            path = tmp / relative
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(data)
            split = split_of(Path(relative).name.split("_")[0])
            if split in lists:
                lists[split].append(relative)
    (tmp / "validation_list.txt").write_text("\n".join(sorted(lists["validation"])) + "\n")
    (tmp / "testing_list.txt").write_text("\n".join(sorted(lists["test"])) + "\n")
    (tmp / "_background_noise_").mkdir()
    for name, data in noises:
        (tmp / "_background_noise_" / name).write_bytes(data)
    (tmp / "done").write_text("ok")
    try:
        os.replace(tmp, folder)
    except OSError:  # generated concurrently by another process: keep theirs
        shutil.rmtree(tmp, ignore_errors=True)


def _group_clips(job: tuple[int, tuple[int, ...] | None]) -> list[tuple[str, bytes]]:
    """The clips of a group of speakers, said in order in this (fresh) process: (path, WAV
    bytes); with no speakers (None), the background noises instead: (file name, WAV bytes)."""
    seed, speakers = job
    if speakers is None:
        return _noises(seed)
    return [clip for index in speakers for clip in _speaker_clips(seed, index)]


def _speaker_clips(seed: int, index: int) -> list[tuple[str, bytes]]:
    rng = np.random.default_rng([seed, index, 7])
    speaker = speaker_id(seed, index)
    voice = f"{ACCENTS[rng.integers(len(ACCENTS))]}+{VARIANTS[rng.integers(len(VARIANTS))]}"
    pitch, pitch_range, rate = int(rng.integers(20, 81)), int(rng.integers(20, 91)), int(rng.integers(120, 231))
    words = list(KEYWORDS) + list(rng.choice(AUX_WORDS, AUX_PER_SPEAKER, replace=False))
    colour = _mic_response(rng)
    clips = []
    for word in words:
        spoken = engine().say(word, voice, int(np.clip(pitch + rng.normal(0, 5), 0, 99)),
                              pitch_range, int(rate * rng.uniform(0.85, 1.2)), clip_seed(seed, index, word))
        clip = _finish(spoken, engine().sample_rate, colour, rng)
        clips.append((f"{word}/{speaker}_nohash_0.wav", write_wav(clip, RATE)))
    return clips


def _mic_response(rng) -> tuple[float, float]:
    """A speaker's recording chain: a band-pass from (low, high) Hz."""
    return float(rng.uniform(60, 400)), float(rng.uniform(3000, 7800))


def _finish(spoken: np.ndarray, rate: int, band: tuple[float, float], rng) -> np.ndarray:
    voiced = np.flatnonzero(np.abs(spoken) > 0.01)
    if len(voiced):
        spoken = spoken[voiced[0]:voiced[-1] + 1]
    audio = resample(spoken, rate, RATE)[:RATE]
    audio = _band_limit(audio, *band)
    if rng.random() < 0.3:  # a small room: exponentially decaying noise as impulse response
        length = int(RATE * rng.uniform(0.05, 0.25))
        impulse = rng.normal(0, 1, length) * np.exp(-np.arange(length) / (length / 5))
        impulse[0] = 1 / rng.uniform(0.2, 0.6)
        audio = np.convolve(audio, impulse / np.abs(impulse).sum() * 4)[: len(audio) + length // 2]
    audio = audio[:RATE]
    clip = np.zeros(RATE, np.float32)
    start = int(rng.integers(0, RATE - len(audio) + 1))
    clip[start:start + len(audio)] = audio
    clip *= rng.uniform(0.1, 0.9) / max(np.abs(clip).max(), 1e-6)
    snr_db = rng.uniform(15, 40)
    signal_power = np.mean(audio ** 2) * (rng.uniform(0.1, 0.9) / max(np.abs(audio).max(), 1e-6)) ** 2
    clip += rng.normal(0, np.sqrt(signal_power / 10 ** (snr_db / 10) + 1e-12), RATE)
    return np.clip(clip, -1, 1)


def _band_limit(audio: np.ndarray, low: float, high: float) -> np.ndarray:
    spectrum = np.fft.rfft(audio)
    freqs = np.fft.rfftfreq(len(audio), 1 / RATE)
    spectrum[(freqs < low) | (freqs > high)] *= 0.05
    return np.fft.irfft(spectrum, n=len(audio)).astype(np.float32)


def _noises(seed: int) -> list[tuple[str, bytes]]:
    """Six 10 s noises (file name, WAV bytes): white, pink, brown, mains hum, running water, babble."""
    rng = np.random.default_rng([seed, 99])
    n = 10 * RATE
    white = rng.normal(0, 1, n)
    spectrum, freqs = np.fft.rfft(white), np.fft.rfftfreq(n, 1 / RATE)
    pink = np.fft.irfft(spectrum / np.sqrt(np.maximum(freqs, 1)), n)
    brown = np.fft.irfft(spectrum / np.maximum(freqs, 1), n)
    t = np.arange(n) / RATE
    hum = sum(np.sin(2 * np.pi * 50 * k * t + rng.uniform(0, 6)) / k for k in range(1, 6)) + 0.05 * white
    water = _band_limit(white.astype(np.float32), 400, 3000) * (1 + 0.5 * np.sin(2 * np.pi * 7 * t))
    babble = np.zeros(n)
    for i in range(40):
        word = engine().say(str(rng.choice(WORDS)), f"en+{rng.choice(VARIANTS)}", int(rng.integers(20, 80)), 50, 170,
                            clip_seed(seed, "babble", i))
        word = resample(word, engine().sample_rate, RATE)[: n // 4]
        start = int(rng.integers(0, n - len(word)))
        babble[start:start + len(word)] += word
    return [(f"{name}.wav", write_wav(0.5 * noise / max(np.abs(noise).max(), 1e-9), RATE))
            for name, noise in (("white_noise", white), ("pink_noise", pink), ("brown_noise", brown),
                                ("mains_hum", hum), ("running_water", water), ("babble", babble))]
