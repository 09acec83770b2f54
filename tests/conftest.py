"""Qt must not look for a display: set the offscreen platform before anything imports Qt.
(The ``app.testing`` plugin sets it too; this keeps ``pytest -p no:regi`` working.)"""
import os

from app.ui.offscreen import use_offscreen

use_offscreen(os.environ)
