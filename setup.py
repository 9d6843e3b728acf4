"""Finds every package automatically; everything else is in pyproject.toml.

`find_packages` cannot see `engine.spec.schema_data`, which pyproject.toml maps onto
`specs/schema/` (the schema stays where users read it), so it is added by name.
"""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["danas*", "engine*", "modalities*", "reports*"]),
                "engine.spec.schema_data"])
