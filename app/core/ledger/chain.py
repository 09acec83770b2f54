"""The hash chain of facts (issue 9, SPEC §6): slips and audit records.

Each fact row gets, in the transaction that writes it: the shop's ``shop_id``, its
``register_id``, a ``uid`` made here (UUIDv7), the register's next commit ``seq`` (one
gap-free sequence per register over slips *and* audit records, kept in
``register_sequences``), ``prev_hash`` (the ``row_hash`` of the register's previous fact)
and ``row_hash`` = SHA-256 of ``prev_hash`` and the row's canonical content. A slip's
content includes its lines, taxes and tenders.

``verify`` walks every register's chain in ``seq`` order and names the first record whose
content, link or place in the sequence does not match: an edit, a deletion or an inserted
row made behind the triggers' back (raw SQL with the triggers dropped).

Contract: call ``seal(db, row)`` once the row (and a slip's children, attached through its
relationships) is complete and before it is flushed; nothing may change it afterwards.
Rows written before this chain existed have ``seq`` NULL and are reported as not covered.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

import uuid6
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from app.core.ledger.models import AuditRecord, Register, RegisterSequence, Setting, Slip

GENESIS = "0" * 64
SHOP_ID_KEY = "shop_id"

Fact = Slip | AuditRecord


def _value(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _columns(row, names: Iterable[str]) -> dict:
    return {name: _value(getattr(row, name)) for name in names}


_CHAIN = ("shop_id", "register_id", "uid", "seq")
_SLIP = ("session_id", "slip_number", "kind", "voids_slip_id", "staff_id", "created_at", "eat_in", "subtotal_yen",
         "discount_yen", "discount_label", "total_yen", "cash_tendered_yen", "change_yen")
_LINE = ("line_no", "product_id", "name", "unit_price_yen", "quantity", "discount_yen", "discount_label",
         "tax_rate_percent", "amount_yen")
_TAX = ("rate_percent", "taxable_yen", "tax_yen")
_TENDER = ("seq", "kind", "tender_code", "label", "amount_yen", "reference")
_AUDIT = ("at", "staff_id", "authorized_by_id", "action", "target", "detail", "reason")


def content(row: Fact) -> dict:
    """What the hash covers (ids made by the database are left out: they do not exist yet)."""
    if isinstance(row, Slip):
        return {"table": "slips", **_columns(row, _CHAIN + _SLIP),
                "lines": sorted((_columns(x, _LINE) for x in row.lines), key=lambda x: x["line_no"]),
                "taxes": sorted((_columns(x, _TAX) for x in row.taxes), key=lambda x: x["rate_percent"]),
                "tenders": sorted((_columns(x, _TENDER) for x in row.tenders), key=lambda x: x["seq"])}
    return {"table": "audit_records", **_columns(row, _CHAIN + _AUDIT)}


def row_hash(prev_hash: str, row: Fact) -> str:
    body = json.dumps(content(row), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev_hash}\n{body}".encode("utf-8")).hexdigest()


def shop_id(db: Session) -> str:
    """The shop's id (a UUIDv7 made on first use and kept in the settings)."""
    if SHOP_ID_KEY not in db.info:
        stored = db.get(Setting, SHOP_ID_KEY)
        if stored is None:
            stored = Setting(key=SHOP_ID_KEY, value=json.dumps(str(uuid6.uuid7())))
            db.add(stored)
        db.info[SHOP_ID_KEY] = json.loads(stored.value)
    return db.info[SHOP_ID_KEY]


def this_register(db: Session) -> Register:
    """This register's row (by the settings' register code), created on first use."""
    from app.core.ledger.settings import load_settings

    code = load_settings(db).register_code
    register = db.scalar(select(Register).where(Register.code == code))
    if register is None:
        register = Register(code=code, name=load_settings(db).register_name)
        db.add(register)
        db.flush()
    return register


def _next(db: Session, register_id: int) -> tuple[int, str]:
    """Take the register's next seq (a write first, so the transaction holds the lock)."""
    taken = db.execute(update(RegisterSequence).where(RegisterSequence.register_id == register_id)
                       .values(last_seq=RegisterSequence.last_seq + 1)
                       .returning(RegisterSequence.last_seq, RegisterSequence.last_hash)).first()
    if taken is not None:
        return taken[0], taken[1]
    db.add(RegisterSequence(register_id=register_id, last_seq=1, last_hash=GENESIS))
    db.flush()
    return 1, GENESIS


def seal(db: Session, row: Fact) -> Fact:
    """Give ``row`` its place in the register's chain (see the module contract)."""
    if row.register_id is None:
        row.register_id = db.info.get("register_id") or this_register(db).id
        db.info["register_id"] = row.register_id
    row.shop_id = shop_id(db)
    row.uid = str(uuid6.uuid7())
    row.seq, row.prev_hash = _next(db, row.register_id)
    row.row_hash = row_hash(row.prev_hash, row)
    db.execute(update(RegisterSequence).where(RegisterSequence.register_id == row.register_id)
               .values(last_hash=row.row_hash))
    return row


@dataclass(frozen=True)
class Problem:
    register_id: int
    table: str
    row_id: int | None
    seq: int | None
    what: str

    def __str__(self) -> str:
        where = f"{self.table} id {self.row_id}" if self.row_id is not None else self.table
        return f"register {self.register_id}, seq {self.seq}: {where}: {self.what}"


@dataclass(frozen=True)
class Report:
    checked: int
    not_covered: int
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(db: Session) -> Report:
    """Walk every register's chain; the first problem found (in seq order), or none."""
    checked = 0
    not_covered = 0
    for register_id, in db.execute(select(RegisterSequence.register_id).order_by(RegisterSequence.register_id)):
        problem, count = _verify_register(db, register_id)
        checked += count
        if problem is not None:
            return Report(checked, not_covered, problem)
    for model in (Slip, AuditRecord):
        first = db.scalar(select(func.min(model.id)).where(model.seq.is_not(None)))
        unchained = select(model).where(model.seq.is_(None)).order_by(model.id)
        if first is not None:
            late = db.scalars(unchained.where(model.id > first).limit(1)).first()
            if late is not None:
                return Report(checked, not_covered, Problem(
                    late.register_id or 0, model.__tablename__, late.id, None,
                    "written after the chain began but not in it (its chain fields were removed)"))
        not_covered += db.scalar(select(func.count()).select_from(unchained.subquery())) or 0
    return Report(checked, not_covered, None)


def _verify_register(db: Session, register_id: int) -> tuple[Problem | None, int]:
    slips = db.scalars(select(Slip).where(Slip.register_id == register_id, Slip.seq.is_not(None))
                       .options(selectinload(Slip.lines), selectinload(Slip.taxes), selectinload(Slip.tenders))).all()
    audits = db.scalars(select(AuditRecord).where(AuditRecord.register_id == register_id,
                                                  AuditRecord.seq.is_not(None))).all()
    facts = sorted([*slips, *audits], key=lambda r: (r.seq, r.__tablename__))
    prev = GENESIS
    for expected, row in enumerate(facts, start=1):
        problem = _check(row, expected, prev)
        if problem:
            return Problem(register_id, row.__tablename__, row.id, row.seq, problem), expected - 1
        prev = row.row_hash
    head = db.get(RegisterSequence, register_id)
    if head.last_seq != len(facts) or head.last_hash != prev:
        return Problem(register_id, "register_sequences", None, len(facts) + 1,
                       f"the chain ends at seq {len(facts)} but the register committed up to seq {head.last_seq}: "
                       "records were deleted"), len(facts)
    return None, len(facts)


def _check(row: Fact, expected_seq: int, prev: str) -> str | None:
    if row.seq != expected_seq:
        return (f"seq {row.seq} where {expected_seq} was expected: record {expected_seq} was deleted"
                if row.seq > expected_seq else "seq used twice")
    if row.prev_hash != prev:
        return "prev_hash does not match the record before it: a record before it was deleted or replaced"
    if row.row_hash != row_hash(prev, row):
        return "content altered (its hash does not match)"
    return None
