"""Tiny datasets in the real on-disk formats, written by hand (not by danas's generators)."""

from __future__ import annotations

import csv
import io
import tarfile
import wave
from pathlib import Path

import numpy as np
from PIL import Image

from modalities.vision.wake_vision_labels import FIELDS


def jpeg(color, size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG")
    return buffer.getvalue()


def write_csv(path: Path, columns, rows) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)


def dataverse_tree(root: Path, n: int = 20) -> Path:
    """wake-vision-validation.tar.gz with n JPEGs (nested folder inside the tar, as upstream)
    and a full 20-column validation CSV: person alternates 0/1, row 3 is person -1, and one
    CSV row names a file that is not in the archive. Train uses the old 'train_bbox' name."""
    root.mkdir(parents=True, exist_ok=True)
    columns = ["filename", *FIELDS]
    for split, archive, csv_name in (("validation", "wake-vision-validation.tar.gz", "wake_vision_validation.csv"),
                                      ("train", "wake-vision-train-3.tar.gz", "wake_vision_train_bbox.csv")):
        rows = []
        with tarfile.open(root / archive, "w:gz") as tar:
            for i in range(n):
                name = f"{split}_{i:03d}.jpg"
                data = jpeg((200, 30, 30) if i % 2 else (30, 30, 200))
                info = tarfile.TarInfo(f"wake_vision/{split}/{name}")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
                person = -1 if i == 3 else i % 2
                cols = columns if split == "validation" else ["filename", "person", "depiction", "body_part"]
                rows.append([name, person] + [(-1 if c == "far" else 0) for c in cols[2:]])
        rows.append(["not_in_archive.jpg", 1] + [0] * (len(cols) - 2))
        write_csv(root / csv_name, cols, rows)
    return root


def speech_tree(root: Path, words=("yes", "no", "cat"), speakers=("aa11", "bb22", "cc33", "dd44")) -> Path:
    """A Speech Commands v0.02 tree: word folders, lists, background noise; short clips."""
    rng = np.random.default_rng(0)
    for word in words:
        (root / word).mkdir(parents=True, exist_ok=True)
        for speaker in speakers:
            samples = rng.normal(0, 0.2, 8000 + 100 * len(word))  # shorter than 1 s: padded
            (root / word / f"{speaker}_nohash_0.wav").write_bytes(wav_bytes(samples))
    (root / "validation_list.txt").write_text("".join(f"{w}/cc33_nohash_0.wav\n" for w in words))
    (root / "testing_list.txt").write_text("".join(f"{w}/dd44_nohash_0.wav\n" for w in words))
    (root / "_background_noise_").mkdir()
    (root / "_background_noise_" / "white_noise.wav").write_bytes(wav_bytes(rng.normal(0, 0.3, 40000)))
    return root


def wav_bytes(samples, rate: int = 16000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buffer.getvalue()
