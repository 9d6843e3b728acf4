"""Known-answer image tasks (class folders of PNGs) and the search the tests run on them:
built so that one data configuration must win. Data-aware NAS exists to rank the data right.

- colour: the two classes are two hues of equal luminance under random brightness and noise;
  in mono they are one distribution (chance), in rgb they separate at a glance;
- detail: one class is a one-pixel checkerboard, the other flat grey of the same mean; the area
  filter that shrinks 16 px to 8 px turns the checkerboard into that grey, so only 16 px sees it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from engine.cli import main

SIZES = {"train": 192, "validation": 64, "test": 32}
# equal luminance under modalities.vision.transforms.LUMA (115.2 and 115.3)
HUES = (np.array([160.0, 90.0, 128.0]), np.array([70.0, 136.0, 128.0]))


def colour_image(label: int, rng: np.random.Generator) -> np.ndarray:
    brightness = rng.uniform(0.5, 1.0)
    return HUES[label] * brightness + rng.normal(0.0, 6.0, (16, 16, 3))


def detail_image(label: int, rng: np.random.Generator) -> np.ndarray:
    grey = np.full((16, 16), rng.uniform(70.0, 180.0))
    if label == 1:
        grey = grey + 40.0 * np.where(np.indices((16, 16)).sum(axis=0) % 2 == 0, 1.0, -1.0)
    return np.repeat(grey[..., None], 3, axis=-1)


def write_task(root: Path, image) -> Path:
    rng = np.random.default_rng(0)
    for split, n in SIZES.items():
        for i in range(n):
            label = i % 2
            folder = root / split / str(label)
            folder.mkdir(parents=True, exist_ok=True)
            pixels = np.clip(np.round(image(label, rng)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(folder / f"{i:04d}.png")
    return root


# the smoke spec's shallow space: the 16 px programs are those the other smoke runs compiled
SMOKE_DEPTHS = "{stage3: [1, 2], stage4: [0, 1], stage5: [0, 1], stage6: [0, 1], stage7: [0, 1]}"
SPEC = """\
name: known-answer
seed: 0
dataset: {{source: image_folder, path: {data}, cache_dir: {cache}}}
modality: {{type: vision, resolutions: {resolutions}, color: {colors}}}
search_space: {{type: mobilenetv2, alphas: [0.25, 0.5], stage_depths: {depths}}}
strategy: {{type: random}}
training: {{pretrain_steps: {pretrain}, finetune_steps: {finetune}, batch_size: 16, eval_batch_size: 64, learning_rate: {lr}}}
budget: {{max_evaluations: {evaluations}}}
output: {{root: {runs}}}
"""


def search(folder: Path, data: Path, resolutions: str, colors: str, learning_rate: float = 0.01,
           pretrain_steps: int = 40, finetune_steps: int = 10, evaluations: int = 6) -> Path:
    """Runs the search on a task's images (runs and cache in `folder`); returns the bundle."""
    spec = folder / "spec.yaml"
    spec.write_text(SPEC.format(data=data, cache=folder / "cache", runs=folder / "runs", depths=SMOKE_DEPTHS,
                                resolutions=resolutions, colors=colors, lr=learning_rate, pretrain=pretrain_steps,
                                finetune=finetune_steps, evaluations=evaluations), encoding="utf-8")
    assert main([str(spec)]) == 0
    (bundle,) = (folder / "runs").iterdir()
    return bundle


def best_accuracy_per_data(bundle: Path) -> dict[str, float]:
    """The best validation accuracy the search measured in each data configuration."""
    best: dict[str, float] = {}
    for line in (bundle / "trials.jsonl").read_text().splitlines():
        trial = json.loads(line)
        if trial["status"] == "ok":
            best[trial["data_key"]] = max(best.get(trial["data_key"], 0.0), trial["metrics"]["accuracy"])
    return best
