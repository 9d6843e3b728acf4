"""The hardware budget a search must fit: RAM and flash in bytes, and how far over a proposal may
be before it is rejected untrained.

Example:
    >>> from danas.records import Estimate
    >>> budget = Budget(ram_bytes=1000, flash_bytes=4000, reject_margin=0.25)
    >>> budget.fits(Estimate(ram_bytes=900, flash_bytes=4000, macs=0, params=0, peak_op="conv"))
    True
    >>> budget.rejection(Estimate(ram_bytes=1300, flash_bytes=10, macs=0, params=0, peak_op="conv"))
    'RAM 1,300 B > 1.25 x budget 1,000 B'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from danas.records import Estimate


@dataclass(frozen=True, kw_only=True)
class Budget:
    """A device's memory budget (bytes) and the margin beyond which a proposal is not trained."""

    ram_bytes: int
    flash_bytes: int
    reject_margin: float = 0.0

    def fits(self, estimate: Estimate) -> bool:
        """Whether a system's RAM and flash are both within the budget (the one feasibility rule)."""
        return estimate.ram_bytes <= self.ram_bytes and estimate.flash_bytes <= self.flash_bytes

    def rejection(self, estimate: Estimate) -> str:
        """Why a system is more than `reject_margin` over budget (too far to be worth training), or ''."""
        limit = 1.0 + self.reject_margin
        reasons = []
        if estimate.ram_bytes > limit * self.ram_bytes:
            reasons.append(f"RAM {estimate.ram_bytes:,} B > {limit:.2f} x budget {self.ram_bytes:,} B")
        if estimate.flash_bytes > limit * self.flash_bytes:
            reasons.append(f"flash {estimate.flash_bytes:,} B > {limit:.2f} x budget {self.flash_bytes:,} B")
        return "; ".join(reasons)

    def ram_share(self, estimate: Estimate) -> float:
        """RAM used as a fraction of the budget."""
        return estimate.ram_bytes / self.ram_bytes

    def flash_share(self, estimate: Estimate) -> float:
        """Flash used as a fraction of the budget."""
        return estimate.flash_bytes / self.flash_bytes

    def to_json(self) -> dict[str, Any]:
        """As summary.json keeps it (the margin only matters during a search)."""
        return {"ram_bytes": self.ram_bytes, "flash_bytes": self.flash_bytes}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Budget":
        return cls(ram_bytes=int(data["ram_bytes"]), flash_bytes=int(data["flash_bytes"]))
