"""The simulated terminal's journal on disk (issue 9, 16): restarting the simulator's
process keeps its history, as a real terminal does; ``lose`` models a terminal that lost
it (a new journal id, numbering from the start again).

The file is JSON, rewritten atomically after every change: each write goes to its own temp
file beside it, then ``os.replace`` (two simulators started on one file by mistake never
interleave their bytes). A file that cannot be read is moved aside and the terminal starts a
new journal, as a terminal that lost its own does: the register then treats what it asks
about as unknown (要確認), never as failed.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
import uuid
from dataclasses import asdict, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from .model import TxRecord

log = logging.getLogger(__name__)

SEQUENCES = ("_order_seq", "_slip_seq", "_emoney_slip_seq", "_recon_seq")


def new_journal_id() -> str:
    return f"J{uuid.uuid4().hex[:16]}"


def dump(engine) -> dict[str, Any]:
    def record(r: TxRecord) -> dict[str, Any]:
        data = asdict(r)
        data["created_at"] = r.created_at.isoformat()
        return data
    return {
        "journal_id": engine.journal_id,
        "history": [record(r) for r in engine._history],
        "used_transaction_ids": sorted(engine._used_transaction_ids),
        "sequences": {name: getattr(engine, name) for name in SEQUENCES},
    }


def save(engine, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(dump(engine), out, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(engine, path: Path) -> bool:
    """Fill ``engine`` from ``path``; False if there is no journal file yet, or it could not be read
    (it is then moved aside: the terminal starts a new journal)."""
    if not path.exists():
        return False
    try:
        data = json.loads(path.read_text("utf-8"))
        names = {f.name for f in fields(TxRecord)}
        history = []
        for item in data["history"]:
            item = {k: v for k, v in item.items() if k in names}
            item["created_at"] = datetime.fromisoformat(item["created_at"])
            history.append(TxRecord(**item))
        journal_id, used, sequences = data["journal_id"], data["used_transaction_ids"], data["sequences"]
    except (ValueError, KeyError, TypeError) as exc:
        aside = path.with_name(f"{path.name}.unreadable-{datetime.now():%Y%m%d-%H%M%S}")
        os.replace(path, aside)
        log.warning("terminal journal %s could not be read (%s): moved to %s, starting a new journal",
                    path, exc, aside)
        return False
    engine.journal_id = journal_id
    engine._history = history
    engine._records = {r.transaction_id: r for r in history}
    engine._used_transaction_ids = set(used)
    for name, value in sequences.items():
        if name in SEQUENCES:
            setattr(engine, name, value)
    return True
