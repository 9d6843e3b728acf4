"""Everything that leaves the process: the terminal, records, renderers and the bundle.

Nothing here imports JAX or Keras.
"""

from reports.terminal import Terminal

__all__ = ["Terminal"]
