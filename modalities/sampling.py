"""Reproducible, class-balanced subsets for small runs (`dataset.max_examples`)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from modalities.base import Record


def balanced_sample(records: Sequence[Record], limit: int | None, seed: int) -> list[Record]:
    """At most `limit` records, as equal per class as the data allows, in a seeded order.

    Classes with fewer records than their share give the rest to the other classes. The
    result is sorted by name, so it does not depend on the order the source listed them in.

    Example:
        >>> rs = [Record(f"{i}", i % 3 == 0) for i in range(30)]
        >>> sorted(r.label for r in balanced_sample(rs, 10, seed=0)).count(True)
        5
    """
    records = sorted(records, key=lambda r: r.name)
    if limit is None or limit >= len(records):
        return records
    rng = np.random.default_rng(seed)
    by_class: dict[int, list[Record]] = {}
    for record in records:
        by_class.setdefault(int(record.label), []).append(record)
    pools = {label: [group[i] for i in rng.permutation(len(group))]
             for label, group in sorted(by_class.items())}
    chosen: list[Record] = []
    remaining = limit
    for position, label in enumerate(sorted(pools, key=lambda k: len(pools[k]))):
        share = remaining // (len(pools) - position)
        take = pools[label][:share]
        chosen.extend(take)
        remaining -= len(take)
    return sorted(chosen, key=lambda r: r.name)
