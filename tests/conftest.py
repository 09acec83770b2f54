"""Qt must not look for a display: set the offscreen platform before anything imports Qt.
(The ``app.testing`` plugin sets it too; this keeps ``pytest -p no:regi`` working.)"""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
