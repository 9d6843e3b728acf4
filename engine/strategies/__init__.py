"""Ask/tell search strategies over the joint space, registered by the name a spec uses.
None imports Keras or JAX. (The differentiable search trains one network by gradient and
asks for nothing; its schedule lives with it in `engine.evaluate.darts_schedule`.)"""

from danas.registry import Registry
from engine.strategies.base import Exhausted, Strategy
from engine.strategies.evolution import Evolution
from engine.strategies.random_search import RandomSearch
from engine.strategies.replay import replay

STRATEGIES: Registry = Registry("strategy")
STRATEGIES.add("evolution", Evolution)
STRATEGIES.add("random", RandomSearch)


def make_strategy(config) -> Strategy:
    """The strategy object for `config.strategy`."""
    factory = STRATEGIES.get(config.strategy.type)
    return factory(config.strategy) if factory is Evolution else factory()


__all__ = ["STRATEGIES", "Exhausted", "Strategy", "make_strategy", "replay"]
