"""Writes the built-in person-detection set in the Harvard Dataverse layout of Wake Vision.

`wake-vision-train-0.tar.gz`, `wake-vision-validation.tar.gz`, `wake-vision-test.tar.gz` hold
JPEGs; `wake_vision_train_quality.csv` (filename, person, depiction, body_part) and the
validation/test CSVs (all 20 columns) hold labels derived from what was drawn. The real
Dataverse loader then reads it, so the default spec exercises the production code path.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tarfile
from pathlib import Path

from PIL import Image

from modalities.parallel import parallel_map
from modalities.vision import wake_vision_labels as labels
from modalities.vision.builtin.person_scene import SceneLabels, draw_scene

VERSION = 1          # bump when the drawing changes, so caches of the old set are not reused
NATIVE_SIZE = 128    # pixels; covers the 96-128 px configurations without upsampling
SPLIT_FRACTIONS = (("train", 0.7), ("validation", 0.1), ("test", 0.2))
TRAIN_COLUMNS = ("filename", "person", "depiction", "body_part")
EVAL_COLUMNS = ("filename", *labels.FIELDS)


def builtin_person_folder(cache: Path, size: int, seed: int = 0) -> Path:
    """Where the set of `size` images lives in the cache (generated on first use)."""
    folder = cache / "builtin" / f"person-v{VERSION}-n{size}-s{seed}"
    if not (folder / "done").exists():
        generate_person_dataset(folder, size, seed)
    return folder


def generate_person_dataset(folder: Path, size: int, seed: int = 0, workers: int | None = None) -> None:
    """Generates `size` images into `folder` (written to a temporary folder, then renamed)."""
    tmp = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    start = 0
    for split, fraction in SPLIT_FRACTIONS:
        count = int(round(size * fraction)) if split != "test" else size - start
        indices = range(start, start + count)
        start += count
        rows = _write_archive(tmp, split, seed, indices, workers)
        _write_csv(tmp, split, rows)
    (tmp / "done").write_text("ok")
    try:
        os.replace(tmp, folder)
    except OSError:  # generated concurrently by another process: keep theirs
        shutil.rmtree(tmp, ignore_errors=True)


def _render(job: tuple[int, int]) -> tuple[str, bytes, SceneLabels]:
    seed, index = job
    pixels, scene = draw_scene(seed, index, NATIVE_SIZE)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=92)
    return f"{index:07d}_synthetic_o.jpg", buffer.getvalue(), scene


def _write_archive(folder: Path, split: str, seed: int, indices: range, workers: int | None):
    name = "wake-vision-train-0.tar.gz" if split == "train" else f"wake-vision-{split}.tar.gz"
    jobs = [(seed, i) for i in indices]
    rows = []
    with tarfile.open(folder / name, "w:gz", compresslevel=1) as tar:
        for filename, data, scene in parallel_map(_render, jobs, workers):
            info = tarfile.TarInfo(f"{split}/{filename}")
            info.size, info.mtime = len(data), 0
            tar.addfile(info, io.BytesIO(data))
            rows.append(_label_row(filename, scene))
    return rows


def _label_row(filename: str, scene: SceneLabels) -> dict[str, int | str]:
    person, h = scene.person, scene.height
    row: dict[str, int | str] = {field: 0 for field in labels.FIELDS}
    row.update(
        filename=filename, person=person, depiction=scene.mannequin, body_part=scene.partial,
        gender_unknown=person, age_unknown=person,
        near=int(person and h >= 0.40), medium_distance=int(person and 0.22 <= h < 0.40),
        far=int(person and h < 0.22),
        person_depiction=int(not person and scene.mannequin),
        **{"non-person_non-depiction": int(not person and not scene.mannequin)},
    )
    row[scene.exposure] = 1
    return row


def _write_csv(folder: Path, split: str, rows: list[dict]) -> None:
    csv_split, columns = ("train_quality", TRAIN_COLUMNS) if split == "train" else (split, EVAL_COLUMNS)
    with (folder / f"wake_vision_{csv_split}.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
