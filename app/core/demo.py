"""The demo shop: a café with 30 products in 4 categories and 3 staff (passwords in the README).

Seeded into an empty ledger only; an existing shop is never touched.
"""
from __future__ import annotations

from sqlalchemy import func, select

from app.core.ledger.ledger import Ledger
from app.core.ledger.models import Category, Product, Staff
from app.core.ledger.passwords import hash_password
from app.core.ledger.settings import ShopSettings, save_settings

DEMO_STAFF = (
    # name, role, password
    ("山田 店長", "manager", "1234"),
    ("佐藤", "cashier", "1111"),
    ("鈴木", "cashier", "2222"),
)

# Salted scrypt hashes of the demo passwords above, made once (hash_password) and shipped:
# the passwords are public demo data, and hashing them at a shop's first start took about a
# fifth of it. Every other password is hashed with its own fresh salt.
DEMO_PASSWORD_HASHES = {
    "1234": "scrypt$16384$8$1$j+BpXhQCBM1cXedNJOx49g==$sMTC4imqLSIqbRU/PzkTYt1Bd917brdUTurOZLJhSy3NSCgYe5mX1DY2TWbA2QA/DHy2Ax2f2p5mCZU1WAimLw==",
    "1111": "scrypt$16384$8$1$0yCVVHH8+ftUYrJkPRsj8Q==$6Nls5QGa9dhR1UmDjEuo99ty5QaybE+QoxYVDl7Z8YDyv1h9akIa98xLgTkg/EMGXql4SDRlwhyie5AVh/KdbA==",
    "2222": "scrypt$16384$8$1$bt/AFS8FAFKaUA0fkc/7fw==$gF2TqmTu8NQEmpWpnuytmRvBJALzFRkgxtnHeny4XQli5OrXONAZ3yUKhKtahULYAZQuzJBDMhjtajWvajlSBA==",
}

F, S = "food", "standard"  # 飲食料品 (8 % take-out) / always 10 %
DEMO_CATALOG = (
    ("ドリンク", "#3b7dd8", (
        ("ブレンドコーヒー", 450, F), ("カフェラテ", 520, F), ("カプチーノ", 520, F), ("アイスコーヒー", 480, F),
        ("紅茶", 450, F), ("抹茶ラテ", 580, F), ("ほうじ茶ラテ", 550, F), ("オレンジジュース", 480, F),
        ("クラフトビール", 750, S),  # alcohol is never reduced-rate
    )),
    ("フード", "#d9822b", (
        ("ミックスサンド", 680, F), ("たまごサンド", 580, F), ("BLTサンド", 720, F), ("ナポリタン", 980, F),
        ("カレーライス", 950, F), ("オムライス", 1050, F), ("ホットドッグ", 550, F), ("キッシュ", 620, F),
        ("バタートースト", 380, F),
    )),
    ("スイーツ", "#c2407a", (
        ("チーズケーキ", 520, F), ("ガトーショコラ", 520, F), ("プリン", 420, F), ("パンケーキ", 880, F),
        ("スコーン", 350, F), ("クッキー", 250, F), ("マフィン", 380, F),
    )),
    ("グッズ", "#2f9e6e", (
        ("タンブラー", 2200, S), ("マグカップ", 1650, S), ("エコバッグ", 880, S),
        ("コーヒー豆 200g", 1480, F), ("ドリップバッグ 5袋", 980, F),
    )),
)

DEMO_SETTINGS = ShopSettings(
    shop_name="カフェ・レギ 渋谷店",
    shop_address="東京都渋谷区神南1-2-3",
    shop_phone="03-1234-5678",
    registration_number="T1234567890123",
    register_code="R01",
    register_name="レジ1",
    printer_kind="preview",  # receipts and slips on screen until a printer is set up
)


def seed_demo(ledger: Ledger) -> bool:
    """Fill an empty ledger with the demo shop. Returns False (and does nothing) if it has staff."""
    with ledger.write() as db:
        if db.scalar(select(func.count()).select_from(Staff)):
            return False
        save_settings(db, DEMO_SETTINGS)
        for order, (name, role, password) in enumerate(DEMO_STAFF):
            db.add(Staff(name=name, role=role, password_hash=DEMO_PASSWORD_HASHES.get(password) or hash_password(password), failed_attempts=0, active=True, sort_order=order))
        for category_order, (category_name, color, products) in enumerate(DEMO_CATALOG):
            category = Category(name=category_name, color=color, sort_order=category_order)
            db.add(category)
            db.flush()
            for order, (name, price, tax_class) in enumerate(products):
                db.add(Product(category_id=category.id, code=f"{category_order + 1}{order + 1:02d}", name=name, price_yen=price, tax_class=tax_class, active=True, sort_order=order))
    return True
