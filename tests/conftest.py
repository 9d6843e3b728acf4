"""Shared fixtures. KERAS_BACKEND is set before anything imports Keras."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
# The tests run tiny programs a few steps each, so compiling is most of their time: LLVM's
# optimisations (level 0 instead of XLA's default 2) are skipped for this process and every run
# it starts. The HLO passes are untouched, so programs compute the same operations (equal up to
# float rounding where LLVM would contract a multiply-add), only slower; no test measures speed.
if "xla_backend_optimization_level" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} --xla_backend_optimization_level=0".strip()

REPO = Path(__file__).resolve().parents[1]
SPECS = REPO / "specs"


def session_root(tmp_path_factory) -> Path:
    """A folder the whole session shares: under pytest-xdist each worker has its own base
    folder, so their common parent."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session", autouse=True)
def shared_compilation_cache(tmp_path_factory):
    """One persistent XLA cache for the whole session, on from the first test, in-process tests
    and subprocess runs alike: the tests compile the same programs many times over (every
    `DartsSearch` and supernet builds its own jitted closures), and compiling them again is most
    of the suite's time. Results never depend on it (a program compiles to the same code), and
    the "nothing new was built" checks count traces, which a cache hit does not hide."""
    from engine.backend import enable_compilation_cache

    folder = session_root(tmp_path_factory) / "xla-shared"
    folder.mkdir(exist_ok=True)
    os.environ["DANAS_XLA_CACHE"] = str(folder)
    enable_compilation_cache(folder)
    yield


@pytest.fixture(scope="session")
def baseline(tmp_path_factory):
    """(folder, trials) of one uninterrupted vision smoke run, made once per session and never
    modified. Under pytest-xdist the first worker to ask makes it, holding a lock, and the other
    reads the same folder (two runs of it were ~30 s of the suite)."""
    import fcntl
    import json

    from tests.smoke_runs import make_baseline

    root = session_root(tmp_path_factory)
    folder, done = root / "baseline", root / "baseline.json"
    with open(root / "baseline.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            folder.mkdir(exist_ok=True)
            done.write_text(json.dumps(make_baseline(folder)))
    return folder, json.loads(done.read_text())


@pytest.fixture(scope="session")
def colour_task_run(tmp_path_factory) -> Path:
    """The bundle of one search on the colour-only known task (tests/known_tasks.py), made once
    per session (a lock, as `baseline`) and never modified: copy it before changing it."""
    import fcntl

    from tests.known_tasks import colour_image, search, write_task

    root = session_root(tmp_path_factory)
    folder = root / "colour-task"
    with open(root / "colour-task.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "done").exists():
            folder.mkdir(exist_ok=True)
            bundle = search(folder, write_task(folder / "images", colour_image), "[16]", "[mono,rgb]")
            (folder / "done").write_text(str(bundle))
    return Path((folder / "done").read_text())


@pytest.fixture
def write_spec(tmp_path):
    """Writes YAML text to a spec file in a temporary folder and returns its path."""

    def write(text: str, name: str = "spec.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
