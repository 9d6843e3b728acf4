"""Worker process of `modalities.parallel.parallel_map`: runs `module:function` over pickled jobs.

A module of its own, imported by nothing, so `python -m modalities._worker` runs it cleanly.
"""

import importlib
import pickle
import sys
from pathlib import Path


def main(inbox: str, outbox: str) -> None:
    target, jobs = pickle.loads(Path(inbox).read_bytes())
    module, name = target.split(":")
    fn = getattr(importlib.import_module(module), name)
    Path(outbox).write_bytes(pickle.dumps([fn(job) for job in jobs]))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
