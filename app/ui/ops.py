"""Operations the screens share, written once (issue 15; after Anki's aqt/operations).

- ``as_manager``: an action that needs a manager — at once for a manager, else after
  ``ManagerAuthDialog``;
- ``device_action`` / ``open_drawer``: printer or drawer work off the UI thread; a failure
  opens an ErrorDialog whose 「再試行」 runs it again (with the same dialog on a new failure);
- ``ledger_write``: a ledger change whose ``RegiError`` is shown as the screen's message
  (a ``with`` block).

Each takes the widget it belongs to (dialogs open over it) and the ``RegisterContext``.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtWidgets import QWidget

from app.core.errors import RegiError
from app.ui.widgets.dialogs import ManagerAuthDialog, show_error


def as_manager(parent: QWidget, context, reason: str, action: Callable[[Any], None], *,
               verify: Callable[[str], Any] | None = None, refused: Callable[[], None] | None = None) -> None:
    """Run ``action(manager)``: with the staff at once when they are a manager, else with the
    manager whose password is keyed in ``ManagerAuthDialog`` (「{reason}には責任者のパスワードが
    必要です。」). ``verify(password)`` defaults to ``context.authorize_manager`` (audited with who
    asked); ``refused()`` runs when the dialog is cancelled. Nothing runs before the password is right."""
    if context.staff_is_manager:
        action(context.staff)
        return
    if refused is None:  # the dialog built ahead (or the one shown last) is shown again (SPEC §9)
        ManagerAuthDialog.ask(parent, reason, verify or context.authorize_manager, action)
        return
    dialog = ManagerAuthDialog(parent, reason, verify or context.authorize_manager)
    dialog.authorized.connect(action)
    dialog.rejected.connect(refused)
    dialog.open()


def device_action(parent: QWidget, context, work: Callable[[], Any], failure_title: str, *,
                  on_done: Callable[[Any], None] | None = None) -> None:
    """Run ``work()`` on the device thread; on an error an ErrorDialog titled ``failure_title``
    says why and offers 「再試行」, which runs it again the same way."""
    def failed(error: BaseException) -> None:
        show_error(parent, getattr(error, "message", str(error)), title=failure_title, retry_label="再試行",
                   on_retry=lambda: device_action(parent, context, work, failure_title, on_done=on_done))

    context.run_device(work, on_done=on_done, on_error=failed)


def open_drawer(parent: QWidget, context) -> None:
    """Kick the cash drawer (cash paid back or taken); a failure offers 「再試行」."""
    device_action(parent, context, context.printer.kick_drawer, "ドロアを開けませんでした")


class ledger_write:
    """A ledger change whose refusal is shown, not raised::

        with ledger_write(self.show_message, refused=lambda: self.load(slip_id)) as write:
            result = journal.void(...)
        if write.refused:
            return

    A ``RegiError`` in the block (a refusal: nothing written) is caught, ``refused()`` runs
    first (e.g. reload what the ledger holds now) and its message is shown. Other errors pass."""

    def __init__(self, show_message: Callable[[str], None], *, refused: Callable[[], None] | None = None) -> None:
        self._show_message = show_message
        self._on_refused = refused
        self.refused: RegiError | None = None

    def __enter__(self) -> "ledger_write":
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        if not isinstance(error, RegiError):
            return False
        self.refused = error
        if self._on_refused is not None:
            self._on_refused()
        self._show_message(error.message)
        return True
