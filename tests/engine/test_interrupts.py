import signal

import pytest

from danas import interrupts


def test_a_swallowed_ctrl_c_is_still_seen_at_the_next_check():
    previous = interrupts.install()
    try:
        try:  # as in a garbage-collection callback, where Python drops the exception
            signal.getsignal(signal.SIGINT)(signal.SIGINT, None)
        except KeyboardInterrupt:
            pass
        with pytest.raises(KeyboardInterrupt):
            interrupts.check()
    finally:
        interrupts.restore(previous)
    assert signal.getsignal(signal.SIGINT) is previous


def test_no_interrupt_no_raise():
    previous = interrupts.install()
    try:
        interrupts.check()
    finally:
        interrupts.restore(previous)
