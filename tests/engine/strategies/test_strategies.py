"""The ask/tell contract, for every registered strategy."""

import pytest

from engine.space.candidate import Candidate
from engine.space.joint import JointSpace
from engine.space.mobilenet_genes import is_valid_depths
from engine.spec import resolve
from engine.spec.schema import load_schema
from engine.strategies import STRATEGIES, Exhausted, make_strategy

DATA = ({"resolution": 32, "color": "mono"}, {"resolution": 32, "color": "rgb"},
        {"resolution": 64, "color": "mono"}, {"resolution": 64, "color": "rgb"})
DEPTHS = ((0, 1, 2, 3), (0, 1, 2, 3, 4), (0, 1, 2, 3), (0, 1, 2, 3), (0, 1))
SPACE = JointSpace(DATA, DEPTHS, (0.25, 0.5, 0.75))


def fitness_of(candidate: Candidate) -> float:
    return candidate.alpha + sum(candidate.depths) / 10 + (candidate.data["color"] == "rgb")


def drive(name, seed, steps=30, reject=()):
    extra = {"population": 5} if name == "evolution" else {}
    _, config = resolve({"strategy": {"type": name, **extra}})
    strategy = make_strategy(config)
    state = strategy.init(SPACE, seed)
    asked = []
    for i in range(steps):
        candidate, state = strategy.ask(SPACE, state)
        asked.append(candidate)
        state = strategy.tell(state, candidate, None if i in reject else fitness_of(candidate))
    return asked, state


ASK_TELL = STRATEGIES.names()


@pytest.mark.parametrize("name", ASK_TELL)
def test_same_seed_same_candidates_and_no_duplicates(name):
    first, _ = drive(name, 3)
    assert first == drive(name, 3)[0]
    assert first != drive(name, 4)[0]
    assert len({c.key() for c in first}) == len(first)
    for candidate in first:
        assert is_valid_depths(candidate.depths) and candidate.data in DATA and candidate.alpha in SPACE.alphas


def test_search_names_match_the_schema_and_ask_tell_strategies_are_searches():
    from engine.run import SEARCHES

    enum = load_schema()["properties"]["strategy"]["properties"]["type"]["enum"]
    assert SEARCHES.names() == sorted(enum)
    assert set(STRATEGIES.names()) == set(enum) - {"differentiable"}  # DARTS trains one network, it asks for nothing


def drive_in_batches(name, seed, steps=30, reject=()):
    """As `drive`, but asking `strategy.batch(state)` candidates before telling them, in ask
    order (how a run hands a batch to parallel workers)."""
    extra = {"population": 5} if name == "evolution" else {}
    _, config = resolve({"strategy": {"type": name, **extra}})
    strategy = make_strategy(config)
    state = strategy.init(SPACE, seed)
    asked = []
    while len(asked) < steps:
        batch = []
        for _ in range(min(strategy.batch(state), steps - len(asked))):
            candidate, state = strategy.ask(SPACE, state)
            batch.append(candidate)
        assert batch, "a batch asks for at least one candidate"
        for candidate in batch:
            state = strategy.tell(state, candidate, None if len(asked) in reject else fitness_of(candidate))
            asked.append(candidate)
    return asked, state


@pytest.mark.parametrize("name", ASK_TELL)
def test_asking_in_batches_proposes_what_asking_one_at_a_time_does(name):
    reject = {1, 6, 7, 13, 22}  # rejected or failed: replaced within the generation
    batched, state = drive_in_batches(name, 5, steps=40, reject=reject)
    single, single_state = drive(name, 5, steps=40, reject=reject)
    assert batched == single and state == single_state
    if name == "evolution":
        assert state.generation >= 6  # several generations, each bred from the last one's fitness


def test_evolution_generations_keep_their_size_despite_rejections():
    _, state = drive("evolution", 0, steps=15, reject={2, 7})
    assert state.generation == 2  # 15 told, 2 rejected: 13 valid = 2 full generations of 5 + 3
    assert len(state.population) == 5


def test_stratified_generation_0_measures_every_data_configuration_once_then_samples_uniformly():
    for seed in range(4):
        asked, _ = drive("evolution", seed, steps=5)  # population 5, 4 data configurations
        assert sorted(map(str, (c.data for c in asked[:4]))) == sorted(map(str, DATA))
    orders = {tuple(str(c.data) for c in drive("evolution", seed, steps=4)[0]) for seed in range(6)}
    assert len(orders) > 1  # a seeded order, not the space's
    # a rejected first individual is replaced by the next stratum (the ask count moves on), so
    # the order does not depend on which candidates are rejected
    rejected, _ = drive("evolution", 0, steps=5, reject={0})
    assert [c.data for c in rejected[1:4]] == [c.data for c in drive("evolution", 0, steps=4)[0][1:4]]
    _, config = resolve({"strategy": {"type": "evolution", "population": 5, "initial_population": "uniform"}})
    strategy, uniform = make_strategy(config), []
    state = strategy.init(SPACE, 0)
    for _ in range(5):
        candidate, state = strategy.ask(SPACE, state)
        uniform.append(candidate)
        state = strategy.tell(state, candidate, fitness_of(candidate))
    assert uniform != drive("evolution", 0, steps=5)[0]


def test_evolution_improves_on_random():
    evolved, _ = drive("evolution", 0, steps=40)
    random, _ = drive("random", 0, steps=40)
    best = lambda cs: sorted(map(fitness_of, cs))[-5:]  # noqa: E731
    assert sum(best(evolved[20:])) >= sum(best(random[20:]))


def test_repair_makes_crossover_children_valid():
    assert SPACE.repair((2, 0, 3, 1, 1)) == (2, 0, 0, 0, 0)
    assert SPACE.repair((5, 9, 0, 0, 0)) == (3, 4, 0, 0, 0)


def test_data_mutation_steps_to_a_neighbour():
    import numpy as np

    candidate = Candidate({"resolution": 32, "color": "mono"}, (1, 0, 0, 0, 0), 0.25)
    for seed in range(10):
        child = SPACE.mutate_data(candidate, np.random.default_rng(seed))
        changed = {k for k in candidate.data if child.data[k] != candidate.data[k]}
        assert len(changed) == 1


def test_small_space_is_exhausted_cleanly():
    tiny = JointSpace(DATA[:1], ((1,), (0,), (0,), (0,), (0,)), (0.5,))
    _, config = resolve({"strategy": {"type": "random"}})
    strategy = make_strategy(config)
    state = strategy.init(tiny, 0)
    _, state = strategy.ask(tiny, state)
    with pytest.raises(Exhausted):
        strategy.ask(tiny, state)


def test_differentiable_schedule_warms_up_then_stops_the_data_search_once():
    from engine.spec import resolve
    from engine.evaluate.darts_schedule import Differentiable

    _, config = resolve({"search_space": {"type": "darts"},
                         "strategy": {"type": "differentiable", "epochs": 3, "warmup_epochs": 1}})
    schedule = Differentiable(config.strategy)
    state = schedule.init(2)
    assert not schedule.searches_architecture(0) and schedule.searches_architecture(1)
    state = schedule.after_arch_step(state, [0.1, 0.0])
    assert state.chosen is None and state.arch_steps == 1
    state = schedule.after_arch_step(state, [0.0, 0.75])  # softmax ratio e^0.75 = 2.1 >= 2
    assert (state.chosen, state.stopped_at_step) == (1, 2)
    state = schedule.after_arch_step(state, [5.0, 0.0])  # decided once, never again
    assert (state.chosen, state.stopped_at_step, state.arch_steps) == (1, 2, 3)
    for _ in range(3):
        state = schedule.after_epoch(state)
    assert schedule.done(state)
    assert schedule.init(1).chosen == 0  # nothing to search
