"""Vision data genes: input resolution x colour encoding."""

from __future__ import annotations

from typing import Any

CHANNELS = {"mono": 1, "rgb": 3}


def vision_data_configs(resolutions: tuple[int, ...], colors: tuple[str, ...]) -> list[dict[str, Any]]:
    """Every vision data configuration, smallest first.

    Example:
        >>> vision_data_configs((64, 32), ("rgb",))
        [{'resolution': 32, 'color': 'rgb'}, {'resolution': 64, 'color': 'rgb'}]
    """
    return [{"resolution": r, "color": c} for r in sorted(resolutions) for c in sorted(colors)]


def vision_key(config: dict[str, Any]) -> str:
    """A short stable name for a vision data configuration: '96px-rgb'."""
    return f"{config['resolution']}px-{config['color']}"


def vision_input_shape(config: dict[str, Any]) -> tuple[int, int, int]:
    """(height, width, channels) of one input sample."""
    return (config["resolution"], config["resolution"], CHANNELS[config["color"]])
