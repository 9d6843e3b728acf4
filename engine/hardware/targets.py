"""Named microcontroller targets: RAM and flash as the datasheets give them (1 kB = 1024 B)."""

from __future__ import annotations

from dataclasses import dataclass

from danas.budget import Budget
from danas.config import HardwareConfig
from danas.registry import Registry

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True)
class Target:
    """A device's memory budget."""

    name: str
    ram_bytes: int
    flash_bytes: int
    description: str


TARGETS: Registry[Target] = Registry("hardware target")

for _target in (
    # The paper's large device (section 5.2): 512 kB SRAM / 2 MB flash, like the STM32F767ZI.
    Target("stm32f765", 512 * KIB, 2 * MIB, "STM32F765 (Cortex-M7), 512 kB RAM / 2 MB flash"),
    # The paper's medium device (fig. 8): 320 kB / 1 MB.
    Target("stm32f746", 320 * KIB, 1 * MIB, "STM32F746 (Cortex-M7), 320 kB RAM / 1 MB flash"),
    # The paper's small device (fig. 9): the Arduino Nano 33 BLE Sense, 256 kB / 1 MB.
    Target("nano33ble", 256 * KIB, 1 * MIB, "Arduino Nano 33 BLE Sense (nRF52840, Cortex-M4), 256 kB RAM / 1 MB flash"),
):
    TARGETS.add(_target.name, _target)


def hardware_budget(hardware: HardwareConfig) -> Budget:
    """The spec's budget: explicit `ram_bytes` / `flash_bytes` win over the named target's."""
    device = TARGETS.get(hardware.target)
    return Budget(ram_bytes=hardware.ram_bytes or device.ram_bytes,
                  flash_bytes=hardware.flash_bytes or device.flash_bytes, reject_margin=hardware.reject_margin)
