"""The simulated terminal's journal on disk (issue 9, 16): restarting the simulator's
process keeps its history, as a real terminal does; ``lose`` models a terminal that lost
it (a new journal id, numbering from the start again).

The file is JSON lines, appended to: a header line with the journal id, then one line per
record added or changed (the last line of a TransactionID wins), per sequence change and per
SaleTransactionID used. ``save`` is called after every engine operation, under the engine's
lock, so it must stay cheap as the history grows: it appends only what changed since the
last save and writes nothing when nothing did (a Login, a Display). Rewriting the whole file
each time made every operation O(history) — at a few hundred records a Login took longer
than the register's login timeout and the link could not come back (the fault suite's
"next payment" failures). The file is rewritten whole (temp file + rename) only for a new
or lost journal, each time through its own temp file (two simulators started on one file
by mistake never interleave a rewrite). A file that cannot be read at all is moved aside and
a new journal started, as a terminal that lost its own: the register then treats what it asks
about as unknown (要確認), never as failed. A torn last line (the process killed mid-write) is ignored on load: that
last change is lost, the rest is kept. Files of the older single-object format still load.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
import uuid
import weakref
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from .model import TxRecord

log = logging.getLogger(__name__)

SEQUENCES = ("_order_seq", "_slip_seq", "_emoney_slip_seq", "_recon_seq")


@dataclass
class _Written:
    """What the file holds, to tell what an engine changed since."""

    journal_id: str
    records: list[TxRecord] = field(default_factory=list)
    marks: list[tuple] = field(default_factory=list)  # the mutable fields of each record as written
    sequences: dict[str, int] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)


_written: "weakref.WeakKeyDictionary[Any, _Written]" = weakref.WeakKeyDictionary()


def new_journal_id() -> str:
    return f"J{uuid.uuid4().hex[:16]}"


def _mark(r: TxRecord) -> tuple:
    return (r.status, r.reversed_by, r.prints, r.reconciled, r.approved)


def _record(r: TxRecord) -> dict[str, Any]:
    data = asdict(r)
    data["created_at"] = r.created_at.isoformat()
    return data


def _sequences(engine) -> dict[str, int]:
    return {name: getattr(engine, name) for name in SEQUENCES}


def dump(engine) -> dict[str, Any]:
    return {
        "journal_id": engine.journal_id,
        "history": [_record(r) for r in engine._history],
        "used_transaction_ids": sorted(engine._used_transaction_ids),
        "sequences": _sequences(engine),
    }


def save(engine, path: Path) -> None:
    """Bring ``path`` up to date with ``engine`` (see the module docstring)."""
    written = _written.get(engine)
    history = engine._history
    count = len(written.records) if written is not None else 0
    if (written is None or written.journal_id != engine.journal_id or len(history) < count
            or (count and history[count - 1] is not written.records[-1])):  # the history is only ever appended to
        _rewrite(engine, path)
        return
    lines: list[str] = []
    for index, (record, mark) in enumerate(zip(history, written.marks)):
        now = _mark(record)
        if now != mark:
            written.marks[index] = now
            lines.append(json.dumps({"record": _record(record)}, ensure_ascii=False))
    for record in history[len(written.records):]:
        written.records.append(record)
        written.marks.append(_mark(record))
        lines.append(json.dumps({"record": _record(record)}, ensure_ascii=False))
    sequences = _sequences(engine)
    if sequences != written.sequences:
        written.sequences = sequences
        lines.append(json.dumps({"sequences": sequences}))
    if len(engine._used_transaction_ids) != len(written.used):
        added = sorted(engine._used_transaction_ids - written.used)
        written.used |= set(added)
        lines.append(json.dumps({"used": added}))
    if lines:
        with open(path, "a", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")


def _rewrite(engine, path: Path) -> None:
    lines = [json.dumps({"journal_id": engine.journal_id})]
    lines += [json.dumps({"record": _record(r)}, ensure_ascii=False) for r in engine._history]
    lines.append(json.dumps({"sequences": _sequences(engine)}))
    lines.append(json.dumps({"used": sorted(engine._used_transaction_ids)}))
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _remember(engine)


def _remember(engine) -> None:
    _written[engine] = _Written(engine.journal_id, list(engine._history), [_mark(r) for r in engine._history],
                                _sequences(engine), set(engine._used_transaction_ids))


def load(engine, path: Path) -> bool:
    """Fill ``engine`` from ``path``; False if there is no journal file yet, or it could not be read
    (it is then moved aside: the terminal starts a new journal)."""
    if not path.exists():
        return False
    try:
        return _load(engine, path)
    except (ValueError, KeyError, TypeError) as exc:
        aside = path.with_name(f"{path.name}.unreadable-{datetime.now():%Y%m%d-%H%M%S}")
        os.replace(path, aside)
        log.warning("terminal journal %s could not be read (%s): moved to %s, starting a new journal",
                    path, exc, aside)
        return False


def _load(engine, path: Path) -> bool:
    text = path.read_text("utf-8")
    names = {f.name for f in fields(TxRecord)}

    def record(item: dict[str, Any]) -> TxRecord:
        item = {k: v for k, v in item.items() if k in names}
        item["created_at"] = datetime.fromisoformat(item["created_at"])
        return TxRecord(**item)

    first = text.split("\n", 1)[0]
    if '"history"' in first:  # the older format: one JSON object, rewritten each time
        data = json.loads(text)
        journal_id, items = data["journal_id"], data["history"]
        used, sequences = set(data["used_transaction_ids"]), data["sequences"]
        old_format = True
    else:
        journal_id, used, sequences, by_id = json.loads(first)["journal_id"], set(), {}, {}
        for line in text.split("\n")[1:]:
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a torn last line, or the blank one after the last newline
            if "record" in entry:
                by_id[entry["record"]["transaction_id"]] = entry["record"]  # the latest version, first place
            elif "sequences" in entry:
                sequences = entry["sequences"]
            elif "used" in entry:
                used.update(entry["used"])
        items = list(by_id.values())
        old_format = False
    history = [record(item) for item in items]
    engine.journal_id = journal_id
    engine._history = history
    engine._records = {r.transaction_id: r for r in history}
    engine._used_transaction_ids = used
    for name, value in sequences.items():
        if name in SEQUENCES:
            setattr(engine, name, value)
    if old_format:
        _rewrite(engine, path)
    else:
        _remember(engine)
    return True
