"""Entry point of the kiosk build (PyInstaller freezes this file into ``regi``).

- ``regi -m app.simulator …`` runs the terminal simulator: a frozen app has no Python to
  start with ``-m``, so ``start_simulator`` (``sys.executable -m app.simulator``) lands here;
- ``regi --check-keyboard`` loads the Qt Virtual Keyboard as a text field would and exits 1
  if Qt reports a plugin or QML module missing from the folder (the build's self-check);
- anything else is ``regi`` itself.
"""
import sys


def check_keyboard() -> int:
    import os

    os.environ["QT_IM_MODULE"] = "qtvirtualkeyboard"
    os.environ.setdefault("QT_QUICK_BACKEND", "software")
    from PySide6.QtCore import QTimer, qInstallMessageHandler
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication, QLineEdit

    problems = []
    qInstallMessageHandler(lambda _kind, _context, message: problems.append(message)
                           if any(s in message for s in ("not installed", "failed", "Cannot load", "not found")) else None)
    app = QApplication(sys.argv[:1])
    edit = QLineEdit()
    edit.show()
    edit.setFocus()
    QTimer.singleShot(300, QGuiApplication.inputMethod().show)  # builds the keyboard's QML panel
    windows = []
    QTimer.singleShot(2000, lambda: windows.extend(w.metaObject().className() for w in QGuiApplication.allWindows()))
    QTimer.singleShot(2500, app.quit)
    app.exec()
    if "QtVirtualKeyboard::InputView" not in windows:  # the keyboard's own window never came
        problems.append(f"no keyboard window (the qtvirtualkeyboard input context did not load): {windows}")
    for problem in problems:
        print("keyboard:", problem, file=sys.stderr)
    print(f"virtual keyboard: {'OK' if not problems else 'MISSING PARTS'}")
    return 1 if problems else 0


if sys.argv[1:3] == ["-m", "app.simulator"]:
    from app.simulator.__main__ import main as simulator

    sys.exit(simulator(sys.argv[3:]))
if sys.argv[1:2] == ["--check-keyboard"]:
    sys.exit(check_keyboard())

from app.__main__ import main  # noqa: E402

sys.exit(main())
