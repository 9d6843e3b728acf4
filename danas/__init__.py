"""The small base every stage shares, and that imports none of them.

    danas/        errors, registries, interrupts, the typed config, the record types, the budget
      ^   ^   ^
      |   |   +-- reports/     (the bundle, records on disk, renderers, the terminal)
      |   +------ modalities/  (data genes, loaders, transforms)
      +---------- engine/      (spec, space, strategies, evaluation; engine/run.py wires them all)

Dependencies point one way: `engine` may import `modalities` and `reports`; `modalities` and
`reports` import only this base (and each other never); this base imports no stage, and neither
JAX nor Keras, so validating a spec stays instant. `tests/test_layering.py` checks the graph.
"""
