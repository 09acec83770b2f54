"""Issue 8: the Qt binding must keep reference counts.

PySide6-Essentials 6.12.0 on CPython 3.11 drops a reference to ``None`` on every void
method call (``QLabel.setText``) and to ``True`` on every ``Signal.emit``; after a few
thousand calls Python aborts (``Fatal Python error: none_dealloc`` / ``bool_dealloc``), so
an idle register dies in under two hours. This test fails on such a binding: 10,000 calls
each of ``setText``, ``emit`` and ``processEvents`` must leave the counts unchanged.

``None``, ``True`` and ``False`` are immortal from CPython 3.12 on (their counts are
fixed), so there the check reads nothing; Regi targets 3.11, where it is exact.
"""
import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QLabel

CALLS = 10_000
SLACK = 50
"""Other code may legitimately hold or release a few references while the loop runs
(pytest, Qt's own Python callbacks); a losing binding is off by ~10,000 per loop."""


class Emitter(QObject):
    flag = Signal(bool)
    nothing = Signal()


def counts():
    return sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)


def repeat_keeping_counts(what, call):
    """``call()`` CALLS times; fails as soon as the counts drift, before a losing binding
    would take the counts of None/True/False to zero and abort the whole test run."""
    before = counts()
    for i in range(CALLS):
        call(i)
        if i % 10 == 9:
            drift = [after - start for start, after in zip(before, counts())]
            assert all(abs(d) <= SLACK for d in drift), \
                f"{what}: after {i + 1} calls the refcounts of (None, True, False) moved by {drift}"


def test_qt_calls_keep_reference_counts(qapp):
    label = QLabel()
    emitter = Emitter()
    received = [0]
    emitter.flag.connect(lambda _value: received.__setitem__(0, received[0] + 1))
    emitter.nothing.connect(lambda: None)
    QApplication.processEvents()

    repeat_keeping_counts("QLabel.setText", lambda i: label.setText("a" if i % 2 else "b"))
    repeat_keeping_counts("Signal.emit", lambda i: (emitter.flag.emit(bool(i % 2)), emitter.nothing.emit()))
    assert received == [CALLS]
    repeat_keeping_counts("processEvents", lambda i: QApplication.processEvents())
