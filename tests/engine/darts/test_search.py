"""The DARTS search with data weights on a constructed task: gamma must find the data
configuration that carries the label, the early stop must fire, and a resumed search must end
exactly where an uninterrupted one does."""

from __future__ import annotations

import numpy as np
import pytest

from engine.evaluate.darts_search import DartsSearch
from tests.engine.darts.constructed import ConstructedModality, darts_config


def search(config, modality, store=None, progress=lambda text: None):
    store = {} if store is None else store
    return DartsSearch(config, modality, modality.data_configs(), 2, store.get, store.__setitem__, progress).run()


@pytest.mark.parametrize("alignment,informative", [("zero_pad", "signal"), ("preprocess", "noise")])
def test_gamma_picks_the_configuration_that_carries_the_label(alignment, informative):
    modality = ConstructedModality(informative=informative)
    outcome = search(darts_config(alignment), modality)
    expected = [d["kind"] for d in modality.data_configs()].index(informative)
    assert outcome.chosen == expected
    assert outcome.state.stopped_at_step is not None  # the early stop fired
    assert outcome.state.stopped_at_step < outcome.state.arch_steps
    weights = np.exp(outcome.gamma) / np.exp(outcome.gamma).sum()
    assert weights[expected] >= 2 * weights[1 - expected]
    trajectory = outcome.history["gamma"]
    assert trajectory[0][1:] == [0.0, 0.0] and len(trajectory) == outcome.state.arch_steps + 1
    # gamma is frozen once the data search stopped
    stop = outcome.state.stopped_at_step
    assert trajectory[stop][1:] == trajectory[-1][1:]


# The tests below keep darts_config's epochs (4, warm-up 1) and learning rates where their point
# allows: the step programs bake them in, so equal settings share the session's compiled programs.
def test_an_interrupted_search_resumes_to_the_same_result():
    config, modality = darts_config(), ConstructedModality()
    uninterrupted = search(config, modality)
    store = {}

    def interrupt_in_epoch_3(text):
        if text.startswith("DARTS epoch 3/4"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        search(config, modality, store, interrupt_in_epoch_3)
    assert "darts-search" in store
    messages = []
    resumed = search(config, modality, store, messages.append)
    assert any("resuming the DARTS search after epoch 2" in m for m in messages)
    assert resumed.genotype == uninterrupted.genotype
    np.testing.assert_array_equal(resumed.gamma, uninterrupted.gamma)
    for key in uninterrupted.arch:
        np.testing.assert_array_equal(resumed.arch[key], uninterrupted.arch[key])
    untimed = lambda history: [{k: v for k, v in e.items() if k != "seconds"} for e in history["epochs"]]  # noqa: E731
    assert untimed(resumed.history) == untimed(uninterrupted.history)
    assert resumed.history["gamma"] == uninterrupted.history["gamma"]


def test_a_checkpoint_of_other_settings_is_not_resumed():
    modality, store = ConstructedModality(), {}
    search(darts_config(), modality, store)
    messages = []
    search(darts_config(early_stop_ratio=3.0), modality, store, messages.append)
    assert any("other settings" in m for m in messages)


def test_the_resource_penalty_steers_alpha_away_from_costly_ops():
    modality = ConstructedModality()

    def conv_weight(outcome):
        alpha = outcome.arch["alpha_reduce"]  # cells: 1, so the one cell is a reduction cell
        weights = np.exp(alpha) / np.exp(alpha).sum(axis=1, keepdims=True)
        return weights[:, 3].mean()  # sep_conv_3x3, the only op with parameters

    free = search(darts_config(), modality)
    penalised = search(darts_config(resource_penalty="params",
                                    resource_penalty_weight=5.0), modality)
    assert conv_weight(penalised) < conv_weight(free) - 0.02


def test_the_ram_penalty_steers_the_data_weights_to_a_configuration_that_fits():
    """'signal' (8x8) carries the label and wins a free search; with a RAM budget that only the
    derived network on 'noise' (6x6) fits, the penalty makes the search take 'noise'."""
    from engine.evaluate.darts_retrain import darts_estimate
    from engine.space.darts.genotype import cell_edges, derive
    from engine.space.darts.search_network import zero_arch

    modality = ConstructedModality()
    config = darts_config(resource_penalty="ram", resource_penalty_weight=10.0)
    space = config.search_space
    genotype = derive(zero_arch(len(cell_edges(space.nodes)), len(space.ops)), space.ops, space.nodes)
    ram = [darts_estimate(config, modality, d, genotype, 2).ram_bytes for d in modality.data_configs()]
    assert ram[0] > ram[1]
    budget = int((ram[0] * ram[1]) ** 0.5)
    free = DartsSearch(darts_config(), modality, modality.data_configs(), 2, {}.get, {}.__setitem__,
                       lambda text: None, ram_budget=budget).run()
    penalised = DartsSearch(config, modality, modality.data_configs(), 2, {}.get, {}.__setitem__,
                            lambda text: None, ram_budget=budget).run()
    assert (free.chosen, penalised.chosen) == (0, 1)
    over = [e["ram_over_budget"] for e in penalised.history["epochs"] if "ram_over_budget" in e]
    assert over and all(o[0] > 0 and o[1] == 0 for o in over)


def test_max_minutes_ends_the_search_after_an_epoch_and_a_resume_does_not_train_on():
    config, modality, store = darts_config(), ConstructedModality(), {}
    past = 0.0  # the deadline has passed before the search starts: one epoch, then it stops
    messages = []
    stopped = DartsSearch(config, modality, modality.data_configs(), 2, store.get, store.__setitem__,
                          messages.append, deadline=past).run()
    assert stopped.stopped_by_time and stopped.state.epoch == 1
    assert any("budget.max_minutes reached after epoch 1 of 4" in m for m in messages)
    resumed = DartsSearch(config, modality, modality.data_configs(), 2, store.get, store.__setitem__,
                          lambda text: None, deadline=past).run()
    assert resumed.state.epoch == 1 and resumed.genotype == stopped.genotype
    np.testing.assert_array_equal(resumed.gamma, stopped.gamma)
