"""商品 (SPEC §8): categories and products edited on the tablet, CSV import and export.

Every change is audited (who, when, old → new) in its own transaction. A price change
never touches a committed slip: slip lines carry their own name and unit price. Products
are never deleted (old slip lines point at them); 販売しない takes one off the tiles.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.catalog_csv import ProductRow, export
from app.core.errors import RegiError
from app.core.ledger import audit
from app.core.ledger.ledger import Ledger
from app.core.ledger.models import Category, Product
from app.core.shop_rules import name_problem, price_problem, product_code_problem

FIELDS = ("code", "name", "price_yen", "tax_class", "category", "sort_order", "active")
FIELD_LABELS = {"code": "商品コード", "name": "商品名", "price_yen": "価格", "tax_class": "税区分",
                "category": "カテゴリ", "sort_order": "表示順", "active": "販売"}


@dataclass(frozen=True)
class PlannedChange:
    """What importing one CSV row will do: ``kind`` is new / change / same."""

    kind: str
    row: ProductRow
    changes: dict  # field -> (old, new)


class CatalogBook:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    # --- reading -----------------------------------------------------------
    def categories(self) -> list[Category]:
        with self.ledger.session() as db:
            return list(db.scalars(select(Category).order_by(Category.sort_order, Category.id)))

    def products(self, category_id: int | None = None) -> list[Product]:
        """Every product (on sale or not), by category and order."""
        with self.ledger.session() as db:
            query = select(Product).join(Category).order_by(Category.sort_order, Category.id, Product.sort_order, Product.id)
            if category_id is not None:
                query = query.where(Product.category_id == category_id)
            return list(db.scalars(query))

    # --- editing -----------------------------------------------------------
    def save_category(self, category_id: int | None, name: str, *, by: int | None) -> Category:
        """Add a category (last in order) or rename one; a name already in use is refused."""
        _check(name_problem(name, "カテゴリ名", 40))
        with self.ledger.write() as db:
            if _category_named(db, name.strip(), not_id=category_id):
                raise RegiError(f"カテゴリ「{name.strip()}」はもうあります。")
            if category_id:
                category = db.get(Category, category_id)
                old = category.name
            else:
                order = (db.scalar(select(func.max(Category.sort_order))) or 0) + 1
                category, old = Category(color="#5b8def", sort_order=order), None
            category.name = name.strip()
            db.add(category)
            db.flush()
            if old != category.name:
                self._audit(db, "category_change" if category_id else "category_add", by, f"category:{category.id}",
                            {"name": (old, category.name)})
            return category

    def move_category(self, category_id: int, step: int, *, by: int | None) -> bool:
        """Move a category ``step`` places (−1: one earlier) among the category buttons at checkout.
        False when it is already first (last); the orders that change are audited."""
        with self.ledger.write() as db:
            rows = list(db.scalars(select(Category).order_by(Category.sort_order, Category.id)))
            return self._move(db, rows, category_id, step, "category_change", "category", by)

    def move_product(self, product_id: int, step: int, *, by: int | None) -> bool:
        """Move a product ``step`` places among its category's tiles (on sale or not), as ``move_category``."""
        with self.ledger.write() as db:
            category_id = db.get(Product, product_id).category_id
            rows = list(db.scalars(select(Product).where(Product.category_id == category_id)
                                   .order_by(Product.sort_order, Product.id)))
            return self._move(db, rows, product_id, step, "product_change", "product", by)

    def save_product(self, product_id: int | None, *, code: str, name: str, price: str, tax_class: str,
                     category_id: int | None, sort_order: str, active: bool, by: int | None) -> Product:
        """Add (``product_id`` None) or change a product. ``price`` and ``sort_order`` as typed."""
        code, name = code.strip(), name.strip()
        _check(product_code_problem(code) or name_problem(name, "商品名", 60) or price_problem(price)
               or (None if tax_class in ("food", "standard") else "税区分を選んでください。")
               or (None if category_id else "カテゴリを選んでください。")
               or (None if sort_order.strip().lstrip("-").isdigit() else "表示順は数字で入力してください。"))
        with self.ledger.write() as db:
            if db.scalar(select(Product).where(Product.code == code, Product.id != (product_id or 0))):
                raise RegiError(f"商品コード「{code}」は別の商品で使われています。")
            product = db.get(Product, product_id) if product_id else Product()
            category = db.get(Category, category_id)
            self._apply(db, product, code=code, name=name, price_yen=int(price.strip().replace(",", "")),
                        tax_class=tax_class, category=category, sort_order=int(sort_order), active=active, by=by)
            return product

    # --- CSV ---------------------------------------------------------------
    def plan_import(self, rows: list[ProductRow]) -> list[PlannedChange]:
        """What importing ``rows`` (already checked by ``catalog_csv.parse``) would change."""
        with self.ledger.session() as db:
            existing = {p.code: p for p in db.scalars(select(Product))}
            names = {c.id: c.name for c in db.scalars(select(Category))}
            plan = []
            for row in rows:
                product = existing.get(row.code)
                if product is None:
                    plan.append(PlannedChange("new", row, {}))
                    continue
                old = _values(product, names[product.category_id])
                changes = {key: (old[key], value) for key, value in _row_values(row).items() if old[key] != value}
                plan.append(PlannedChange("change" if changes else "same", row, changes))
            return plan

    def import_rows(self, rows: list[ProductRow], *, by: int | None) -> int:
        """Create or update every row's product (categories by name, created when new), in one
        transaction. Returns how many products changed."""
        changed = 0
        with self.ledger.write() as db:
            existing = {p.code: p for p in db.scalars(select(Product))}
            for row in rows:
                category = _category_named(db, row.category)
                if category is None:
                    order = (db.scalar(select(func.max(Category.sort_order))) or 0) + 1
                    category = Category(name=row.category, color="#5b8def", sort_order=order)
                    db.add(category)
                    db.flush()
                    self._audit(db, "category_add", by, f"category:{category.id}", {"name": (None, row.category)})
                product = existing.get(row.code) or Product()
                changed += self._apply(db, product, code=row.code, name=row.name, price_yen=row.price_yen,
                                       tax_class=row.tax_class, category=category, sort_order=row.sort_order,
                                       active=row.active, by=by, source="csv")
        return changed

    def export_csv(self) -> bytes:
        with self.ledger.session() as db:
            query = select(Product, Category.name).join(Category).order_by(Category.sort_order, Category.id, Product.sort_order, Product.id)
            return export([(p.code or str(p.id), p.name, p.price_yen, p.tax_class, category, p.sort_order, p.active)
                           for p, category in db.execute(query)])

    # --- helpers -----------------------------------------------------------
    def _apply(self, db: Session, product: Product, *, code, name, price_yen, tax_class, category: Category,
               sort_order, active, by, source: str = "screen") -> bool:
        old = _values(product, product.category.name if product.id else None) if product.id else {}
        product.code, product.name, product.price_yen, product.tax_class = code, name, price_yen, tax_class
        product.category_id, product.sort_order, product.active = category.id, sort_order, active
        db.add(product)
        db.flush()
        new = {"code": code, "name": name, "price_yen": price_yen, "tax_class": tax_class, "category": category.name,
               "sort_order": sort_order, "active": active}
        changes = {key: (old.get(key), value) for key, value in new.items() if old.get(key) != value}
        if changes:
            self._audit(db, "product_change" if old else "product_add", by, f"product:{product.id}",
                        {**changes, "source": source})
        return bool(changes)

    def _move(self, db: Session, rows: list, row_id: int, step: int, action: str, kind: str, by: int | None) -> bool:
        """Renumber ``rows`` (in shown order) with row ``row_id`` moved ``step`` places; rows that
        shared an order get their own, counted from the smallest order there was."""
        index = next(i for i, row in enumerate(rows) if row.id == row_id)
        if not 0 <= index + step < len(rows):
            return False
        base = min(row.sort_order for row in rows)
        rows.insert(index + step, rows.pop(index))
        for order, row in enumerate(rows, start=base):
            if row.sort_order != order:
                self._audit(db, action, by, f"{kind}:{row.id}", {"sort_order": (row.sort_order, order), "source": "screen"})
                row.sort_order = order
        return True

    def _audit(self, db: Session, action: str, by: int | None, target: str, detail: dict) -> None:
        self.ledger.catalog_changed()  # every catalogue write is audited: the checkout rebuilds its tiles
        audit.record(db, self.ledger.clock.now(), action, by, target=target, detail=detail)


def _values(product: Product, category_name: str | None) -> dict:
    return {"code": product.code, "name": product.name, "price_yen": product.price_yen, "tax_class": product.tax_class,
            "category": category_name, "sort_order": product.sort_order, "active": product.active}


def _row_values(row: ProductRow) -> dict:
    return {"code": row.code, "name": row.name, "price_yen": row.price_yen, "tax_class": row.tax_class,
            "category": row.category, "sort_order": row.sort_order, "active": row.active}


def _category_named(db: Session, name: str, not_id: int | None = None) -> Category | None:
    return db.scalar(select(Category).where(Category.name == name, Category.id != (not_id or 0)))


def _check(problem: str | None) -> None:
    if problem:
        raise RegiError(problem)
