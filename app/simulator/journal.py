"""The simulated terminal's journal on disk (issue 9, 16): restarting the simulator's
process keeps its history, as a real terminal does; ``lose`` models a terminal that lost
it (a new journal id, numbering from the start again).

The file is JSON, rewritten atomically (temp file + rename) after every change.
"""
from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from .model import TxRecord

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
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(dump(engine), ensure_ascii=False), "utf-8")
    os.replace(tmp, path)


def load(engine, path: Path) -> bool:
    """Fill ``engine`` from ``path``; False if there is no journal file yet."""
    if not path.exists():
        return False
    data = json.loads(path.read_text("utf-8"))
    names = {f.name for f in fields(TxRecord)}
    history = []
    for item in data["history"]:
        item = {k: v for k, v in item.items() if k in names}
        item["created_at"] = datetime.fromisoformat(item["created_at"])
        history.append(TxRecord(**item))
    engine.journal_id = data["journal_id"]
    engine._history = history
    engine._records = {r.transaction_id: r for r in history}
    engine._used_transaction_ids = set(data["used_transaction_ids"])
    for name, value in data["sequences"].items():
        if name in SEQUENCES:
            setattr(engine, name, value)
    return True
