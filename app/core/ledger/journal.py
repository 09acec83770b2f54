"""``SlipJournal``: the 伝票明細 screens' entry to the ledger (R-HIST), bound to a ``Ledger``.

Each method is one database transaction; writes commit with their audit record or not
at all. Returned objects are detached snapshots. Qt-free.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.core.cart import Cart
from app.core.errors import RegiError
from app.core.ledger import slip_queries, voids
from app.core.ledger.ledger import Ledger
from app.core.ledger.models import Slip
from app.core.ledger.slip_queries import PAGE_SIZE, SlipCursor, SlipFilter, SlipPage, SlipRelations
from app.core.ledger.slips import load_slip
from app.core.ledger.voids import VoidResult


@dataclass(frozen=True)
class SlipDetail:
    slip: Slip  # with lines, taxes, tenders and staff loaded
    relations: SlipRelations
    void_refusal: str | None  # why 伝票取消 / 伝票訂正 is not possible now, None if it is


class SlipJournal:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger
        self._register_id: int | None = None

    @property
    def register_id(self) -> int:
        if self._register_id is None:
            self._register_id = self.ledger.register().id
        return self._register_id

    def today(self) -> date:
        return self.ledger.clock.now().date()

    def page(self, day: date, flt: SlipFilter = SlipFilter(), cursor: SlipCursor | None = None, limit: int = PAGE_SIZE) -> SlipPage:
        with self.ledger.session() as db:
            return slip_queries.slip_page(db, self.register_id, day, flt, cursor=cursor, limit=limit)

    def count(self, day: date, flt: SlipFilter = SlipFilter()) -> int:
        with self.ledger.session() as db:
            return slip_queries.count_slips(db, self.register_id, day, flt)

    def detail(self, slip_id: int) -> SlipDetail | None:
        with self.ledger.session() as db:
            slip = load_slip(db, slip_id)
            if slip is None:
                return None
            relations = slip_queries.slip_relations(db, slip)
            try:
                voids.check_voidable(db, slip, self.register_id)
                refusal = None
            except RegiError as error:
                refusal = error.message
            return SlipDetail(slip, relations, refusal)

    def void(self, slip_id: int, *, staff_id: int, authorized_by_id: int, reason: str, correction: bool = False) -> VoidResult:
        """Void (or, with ``correction``, void for a re-ring) in one transaction."""
        register_id = self.register_id
        with self.ledger.write() as db:
            return voids.void_slip(db, slip_id, register_id=register_id, staff_id=staff_id, authorized_by_id=authorized_by_id,
                                   reason=reason, now=self.ledger.clock.now(), correction=correction)

    def correction_cart(self, slip_id: int, cart: Cart) -> Cart:
        with self.ledger.session() as db:
            return voids.correction_cart(db, slip_id, cart)
