"""Audit records: who did what, when, authorised by whom, and why (SPEC §6).

Insert-only (database triggers) and sealed into the register's hash chain (``chain``).
"""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.orm import Session

from app.core.ledger import chain
from app.core.ledger.models import AuditRecord


def record(
    db: Session,
    at: datetime,
    action: str,
    staff_id: int | None,
    *,
    target: str | None = None,
    detail: dict | None = None,
    reason: str | None = None,
    authorized_by_id: int | None = None,
    register_id: int | None = None,
) -> AuditRecord:
    """Add an audit row to ``db``'s transaction (it commits with the action it records).
    ``register_id``: the register it happened on (default: this register)."""
    row = AuditRecord(
        at=at,
        action=action,
        staff_id=staff_id,
        authorized_by_id=authorized_by_id,
        target=target,
        detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
        reason=reason,
        register_id=register_id,
    )
    chain.seal(db, row)
    db.add(row)
    return row
