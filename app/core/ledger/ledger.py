"""``Ledger``: the facade for the register's everyday reads and writes (staff, the business day,
catalogue, slips, settings); the slip journal, terminal payments and queries have their own
modules over the same session factory.

Each method is one transaction: it commits everything it writes (with its audit record)
or nothing. Returned ORM objects are detached snapshots (``expire_on_commit=False``).
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from app.core.cart import Cart
from app.core.clock import Clock
from app.core.errors import RegiError
from app.core.ledger import audit, business_day, chain, slips, staff
from app.core.ledger.db import WRITE_LOCK, open_ledger
from app.core.ledger.models import Category, Product, Register, RegisterSession, Slip, Staff
from app.core.ledger.settings import ShopSettings, load_settings, save_settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommittedSlip:
    slip_id: int
    slip_number: int


class Ledger:
    def __init__(self, url: str, clock: Clock | None = None):
        self.url = url
        self.clock = clock or Clock()
        self._sessions: sessionmaker[Session] = open_ledger(url)
        self._register: Register | None = None
        self.catalog_version = 0  # bumped by every catalogue change (back office), read by the checkout
        self._use_zone(self.settings().shop_timezone)

    def _use_zone(self, name: str) -> None:
        try:
            self.clock.use_zone(name)
        except ValueError:  # a bad stored zone must not stop the register: keep counting in the default
            log.warning("unknown shop_timezone %r; using %s", name, self.clock.zone)

    def catalog_changed(self) -> None:
        self.catalog_version += 1

    def session(self) -> Session:
        """A new ORM session (use as a context manager); for reads outside the facade."""
        return self._sessions()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction (``with ledger.write() as db:``): committed at the end, rolled back
        on an error, and holding SQLite's write lock from its start (``db.WRITE_LOCK``: a
        transaction that reads before it writes — every audit record reads the chain's head —
        would otherwise fail at once when another thread commits in between). Reads nested in
        it on another session are fine; a write nested in it would wait for itself."""
        with self._sessions() as db, db.begin():
            db.connection(execution_options={WRITE_LOCK: True})
            yield db

    def _locked_session(self) -> Session:
        """A session that holds the write lock from its first statement, committed by the caller
        (``login`` and ``authorize_manager`` commit a refusal before raising it)."""
        db = self._sessions()
        db.connection(execution_options={WRITE_LOCK: True})
        return db

    def dispose(self) -> None:
        self._sessions.kw["bind"].dispose()

    # --- register and settings ---------------------------------------------
    def settings(self) -> ShopSettings:
        with self._sessions() as db:
            return load_settings(db)

    def save_settings(self, new: ShopSettings, staff_id: int | None, authorized_by_id: int | None = None) -> None:
        self.forget_register()  # the register code may change
        with self.write() as db:
            changed = save_settings(db, new)
            if changed:
                audit.record(db, self.clock.now(), "settings_change", staff_id, detail=changed, authorized_by_id=authorized_by_id)
        self._use_zone(new.shop_timezone)

    def forget_register(self) -> None:
        """Drop the cached register row: its code or name was changed (店舗情報, shop_admin)."""
        self._register = None

    def register(self) -> Register:
        """This register's row, created on first use from the settings' register code.
        Kept until the settings are saved again: every sale asks for it, and reading the
        settings each time cost a transaction per 会計."""
        cached = self._register
        if cached is not None:
            return cached
        with self.write() as db:
            register = chain.this_register(db)
        self._register = register
        return register

    # --- staff -------------------------------------------------------------
    def staff(self) -> list[Staff]:
        with self._sessions() as db:
            return staff.active_staff(db)

    def login(self, staff_id: int, password: str) -> Staff:
        """Authenticate; failures and lockouts are committed before the refusal is raised.
        Locked from the start: the password check (scrypt) sits between its read and its write."""
        with self._locked_session() as db:
            try:
                member = staff.authenticate(db, staff_id, password, self.clock.now())
            except RegiError:
                db.commit()
                raise
            audit.record(db, self.clock.now(), "login", member.id)
            db.commit()
            return member

    def authorize_manager(self, password: str, staff_id: int | None = None) -> Staff:
        """The manager whose password this is (ManagerAuthDialog); ``RegiError`` otherwise.
        Every attempt is audited and committed; see ``staff.authorize_manager`` for the lockout.
        Locked from the start, as ``login``."""
        with self._locked_session() as db:
            try:
                manager = staff.authorize_manager(db, password, self.clock.now(), staff_id=staff_id)
            except RegiError:
                db.commit()
                raise
            db.commit()
            return manager

    def record_audit(self, action: str, staff_id: int | None, **kwargs) -> None:
        with self.write() as db:
            audit.record(db, self.clock.now(), action, staff_id, **kwargs)

    # --- the business day (a RegisterSession row) ---------------------------
    def current_day(self) -> RegisterSession | None:
        register = self.register()
        with self._sessions() as db:
            return business_day.current_day(db, register.id)

    def open_day(self, staff_id: int, *, counts: dict[int, int] | None = None, total_yen: int | None = None) -> RegisterSession:
        register = self.register()
        with self.write() as db:
            day = business_day.open_day(db, register, staff_id, self.clock.now(), counts=counts, total_yen=total_yen)
            audit.record(db, self.clock.now(), "open_session", staff_id, target=f"session:{day.id}", detail={"float_yen": day.float_yen, "counts": counts})
            return day

    # --- catalogue ---------------------------------------------------------
    def catalog(self) -> list[Category]:
        """Categories in order, each with its active products (eager-loaded)."""
        with self._sessions() as db:
            categories = db.scalars(
                select(Category).order_by(Category.sort_order, Category.id).options(selectinload(Category.products))
            ).all()
            for category in categories:
                category.products[:] = [p for p in category.products if p.active]
                for product in category.products:
                    db.expunge(product)
            return list(categories)

    def product(self, product_id: int) -> Product | None:
        with self._sessions() as db:
            return db.get(Product, product_id)

    # --- slips -------------------------------------------------------------
    def commit_sale(self, cart: Cart, staff_id: int) -> CommittedSlip:
        """Commit a settled cart as one slip, atomically. Raises ``RegiError`` if not open."""
        register = self.register()
        with self.write() as db:
            session = business_day.current_day(db, register.id)
            if session is None:
                raise RegiError("レジが開局していません。")
            slip = slips.commit_sale(db, cart, register_id=register.id, session_id=session.id, staff_id=staff_id, now=self.clock.now())
            return CommittedSlip(slip.id, slip.slip_number)

    def slip(self, slip_id: int) -> Slip | None:
        with self._sessions() as db:
            return slips.load_slip(db, slip_id)

    def slips(self) -> list[Slip]:
        """Every slip with its lines, taxes and tenders, oldest first (tests, small ledgers)."""
        with self._sessions() as db:
            return list(
                db.scalars(
                    select(Slip).order_by(Slip.id).options(selectinload(Slip.lines), selectinload(Slip.taxes), selectinload(Slip.tenders))
                )
            )
