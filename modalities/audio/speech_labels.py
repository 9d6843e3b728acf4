"""Speech Commands v0.02 words and the label sets built from them."""

from __future__ import annotations

WORDS = (
    "backward", "bed", "bird", "cat", "dog", "down", "eight", "five", "follow", "forward", "four",
    "go", "happy", "house", "learn", "left", "marvin", "nine", "no", "off", "on", "one", "right",
    "seven", "sheila", "six", "stop", "three", "tree", "two", "up", "visual", "wow", "yes", "zero",
)
KEYWORDS = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")
SILENCE, UNKNOWN = "_silence_", "_unknown_"
# MLPerf Tiny / TFDS order of the 12-class task.
KWS12 = ("down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes", SILENCE, UNKNOWN)
# Silence and unknown each make up this fraction of the keyword examples (TF speech_commands
# tutorial, input_data.py: silence_percentage = unknown_percentage = 10).
KWS12_EXTRA_FRACTION = 0.10


def label_set(name: str, words: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Class names of a label set, in label order.

    Example:
        >>> label_set("custom", ("marvin", "sheila"))
        ('marvin', 'sheila', '_unknown_')
    """
    if name == "kws12":
        return KWS12
    if name == "all35":
        return WORDS
    return (*words, UNKNOWN)
