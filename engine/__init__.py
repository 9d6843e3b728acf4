"""danas engine: spec -> validated config -> modality data -> search space / supernet ->
strategy -> evaluator + hardware estimator -> report bundle.

`engine.spec` loads specs (no JAX, no Keras); `engine.run.run` is the one place that wires
every stage together. Importing `engine` itself is cheap.
"""
