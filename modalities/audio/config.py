"""The `modality:` section of an audio spec, as the typed config holds it (frozen; lists as tuples).
The schema's audio fields (`x-when: [audio]`) and these fields are kept equal by a test."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AudioConfig:
    type: str
    sample_rate: tuple[int, ...]
    clip_seconds: float
    window: tuple[int, ...]
    hop: tuple[int, ...]
    window_hop_pairs: tuple[tuple[int, int], ...] | None
    mel_bins: tuple[int, ...]
    n_mfcc: tuple[int, ...]

    def window_hops(self) -> tuple[tuple[int, int], ...]:
        """The (window, hop) pairs searched: the explicit pairs, else window x hop."""
        if self.window_hop_pairs is not None:
            return self.window_hop_pairs
        return tuple((w, h) for w in self.window for h in self.hop)
