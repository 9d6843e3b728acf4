"""Search strategies, registered by the name a spec uses. None imports Keras."""

from engine.registry import Registry
from engine.strategies.base import Exhausted, Strategy
from engine.strategies.differentiable import Differentiable
from engine.strategies.evolution import Evolution
from engine.strategies.random_search import RandomSearch

STRATEGIES: Registry = Registry("strategy")
STRATEGIES.add("evolution", Evolution)
STRATEGIES.add("random", RandomSearch)
STRATEGIES.add("differentiable", Differentiable)


def make_strategy(config) -> Strategy:
    """The strategy object for `config.strategy`."""
    factory = STRATEGIES.get(config.strategy.type)
    return factory(config.strategy) if factory in (Evolution, Differentiable) else factory()


__all__ = ["STRATEGIES", "Exhausted", "Strategy", "make_strategy"]
