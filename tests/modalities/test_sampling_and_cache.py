import numpy as np

from modalities.base import Record
from modalities.cache import cached_arrays
from modalities.fingerprint import fingerprint
from modalities.parallel import parallel_map
from modalities.sampling import balanced_sample


def test_balanced_sample_is_reproducible_and_balanced():
    records = [Record(f"{i:03d}", int(i < 20)) for i in range(100)]
    first = balanced_sample(records, 30, seed=1)
    assert first == balanced_sample(list(reversed(records)), 30, seed=1)
    assert sum(r.label for r in first) == 15
    assert first != balanced_sample(records, 30, seed=2)


def test_small_class_gives_its_share_to_the_others():
    records = [Record(f"{i:03d}", int(i < 4)) for i in range(100)]
    chosen = balanced_sample(records, 30, seed=0)
    assert len(chosen) == 30 and sum(r.label for r in chosen) == 4


def test_no_limit_keeps_everything():
    records = [Record("b", 0), Record("a", 1)]
    assert balanced_sample(records, None, 0) == [Record("a", 1), Record("b", 0)]


def test_cache_builds_once(tmp_path):
    calls = []

    def build():
        calls.append(1)
        return {"x": np.arange(4)}

    first = cached_arrays(tmp_path, "k", build)
    second = cached_arrays(tmp_path, "k", build)
    assert calls == [1] and list(second["x"]) == [0, 1, 2, 3]
    assert isinstance(first["x"], np.memmap)


def test_fingerprint_follows_labels_and_sizes(tmp_path):
    (tmp_path / "a.csv").write_text("filename,person\nx.jpg,1\n")
    (tmp_path / "img.jpg").write_bytes(b"1234")
    files = [tmp_path / "a.csv", tmp_path / "img.jpg"]
    before = fingerprint(tmp_path, files)
    (tmp_path / "a.csv").write_text("filename,person\nx.jpg,0\n")  # same size, new label
    assert fingerprint(tmp_path, files) != before


def square(x):
    return x * x


def test_parallel_map_keeps_job_order():
    assert parallel_map(square, list(range(7)), workers=2) == [x * x for x in range(7)]
