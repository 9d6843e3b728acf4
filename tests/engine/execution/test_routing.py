"""Which free worker takes which pending candidate (engine.execution.routing)."""

from engine.execution.routing import Pending, WorkerState, choose


def job(index: int, key: str, supernet: str = "s") -> Pending:
    return Pending(index=index, data_key=key, supernet=supernet)


def test_a_worker_takes_its_own_data_configuration_first_then_the_earliest_asked():
    a, b = WorkerState(slot=0, data_keys={"rgb"}, supernets={"s"}), WorkerState(slot=1)
    queue = [job(0, "mono"), job(1, "rgb"), job(2, "rgb")]
    assert choose(a, queue, [a, b], {"s"}, {}) == 1
    assert choose(b, queue, [a, b], {"s"}, {}) == 0  # nobody holds mono: b takes it, shipped the checkpoint


def test_supernets_of_different_configurations_pre_train_on_different_workers():
    a, b = WorkerState(slot=0), WorkerState(slot=1)
    queue = [job(0, "mono", "s-mono"), job(1, "mono", "s-mono"), job(2, "rgb", "s-rgb")]
    assert choose(a, queue, [a, b], set(), {}) == 0
    # a now pre-trains s-mono: b must not pre-train it too, it takes rgb's
    assert choose(b, queue[1:], [a, b], set(), {"s-mono": 0}) == 1


def test_nobody_pre_trains_a_supernet_another_worker_is_pre_training():
    a, b = WorkerState(slot=0), WorkerState(slot=1)
    queue = [job(1, "rgb"), job(2, "mono")]  # one shared supernet "s", being trained by a
    assert choose(b, queue, [a, b], set(), {"s": 0}) is None
    assert choose(b, queue, [a, b], {"s"}, {}) == 0  # once its checkpoint is back, b starts


def test_a_queue_of_another_workers_configuration_is_shared_only_beyond_its_first_candidate():
    a, b = WorkerState(slot=0, data_keys={"rgb"}, supernets={"s"}, busy=True), WorkerState(slot=1)
    assert choose(b, [job(3, "rgb")], [a, b], {"s"}, {}) is None  # a takes it when free
    assert choose(b, [job(3, "rgb"), job(4, "rgb")], [a, b], {"s"}, {}) == 1
    assert choose(b, [job(3, "rgb"), job(4, "rgb")], [a, b], set(), {}) is None  # would pre-train again

