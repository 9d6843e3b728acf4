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


def test_an_interrupted_search_resumes_to_the_same_result():
    config, modality = darts_config(epochs=3), ConstructedModality()
    uninterrupted = search(config, modality)
    store = {}

    def interrupt_in_epoch_3(text):
        if text.startswith("DARTS epoch 3/3"):
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
    search(darts_config(epochs=1, warmup_epochs=0), modality, store)
    messages = []
    search(darts_config(epochs=1, warmup_epochs=0, arch_learning_rate=0.02), modality, store, messages.append)
    assert any("other settings" in m for m in messages)


def test_the_resource_penalty_steers_alpha_away_from_costly_ops():
    modality = ConstructedModality()

    def conv_weight(outcome):
        alpha = outcome.arch["alpha_reduce"]  # cells: 1, so the one cell is a reduction cell
        weights = np.exp(alpha) / np.exp(alpha).sum(axis=1, keepdims=True)
        return weights[:, 3].mean()  # sep_conv_3x3, the only op with parameters

    free = search(darts_config(epochs=2, warmup_epochs=0), modality)
    penalised = search(darts_config(epochs=2, warmup_epochs=0, resource_penalty="params",
                                    resource_penalty_weight=5.0), modality)
    assert conv_weight(penalised) < conv_weight(free) - 0.02
