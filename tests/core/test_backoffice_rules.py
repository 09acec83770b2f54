"""Back office rules without a screen (SPEC §8, issue 11): 登録番号, CSV, staff, catalogue."""
from pathlib import Path

import pytest

from app.core.cart import Cart, Payment, PaymentKind, TaxClass
from app.core.catalog_csv import HEADER, NotCsvError, parse
from app.core.demo import seed_demo
from app.core.errors import RegiError
from app.core.ledger.catalog_admin import CatalogBook
from app.core.ledger.ledger import Ledger
from app.core.ledger.staff_admin import StaffBook
from app.core.shop_rules import corporate_check_digit, registration_check_digit_ok, registration_number_problem

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def ledger(tmp_path):
    ledger = Ledger(f"sqlite:///{tmp_path / 'regi.db'}")
    seed_demo(ledger)
    yield ledger
    ledger.dispose()


def test_registration_number_is_t_and_13_digits():
    assert registration_number_problem("T7000012050002") is None
    assert registration_number_problem("") is None  # not registered (yet)
    for bad in ("7000012050002", "T700001205000", "T70000120500021", "t7000012050002", "T70000120500０2"):
        assert "T」と13桁" in registration_number_problem(bad)


def test_corporate_check_digit_follows_the_nta_rule():
    assert corporate_check_digit("000012050002") == 7  # 国税庁's own corporate number 7000012050002
    assert registration_check_digit_ok("T7000012050002")
    assert not registration_check_digit_ok("T1234567890123")  # the demo's made-up number


def test_csv_in_utf8_and_cp932_is_read_alike():
    rows, errors, encoding = parse((DATA / "catalogue_utf8.csv").read_bytes())
    assert (errors, encoding, len(rows)) == ([], "UTF-8", 5)
    assert (rows[1].name, rows[1].price_yen, rows[2].tax_class, rows[4].active) == ("カフェオレ", 1050, "standard", False)
    rows, errors, encoding = parse((DATA / "catalogue_cp932.csv").read_bytes())
    assert (errors, encoding) == ([], "Shift_JIS")
    assert [r.name for r in rows][:3] == ["塩パン", "メロンパン", "髙橋さんの食パン"]


def test_every_broken_row_is_listed_with_its_line():
    rows, errors, _ = parse((DATA / "catalogue_broken.csv").read_bytes())
    assert [(e.line, e.reason.split("（")[0].split("は")[0]) for e in errors] == [
        (3, "価格"), (4, "価格にマイナス"), (5, "商品コード「X01」が2行目と重複しています。"), (6, "税区分"),
        (7, "列の数が3です"), (8, "商品名を入力してください。")]
    assert str(errors[0]) == "3行目: 価格は¥9,999,999以下で入力してください。"
    assert [r.code for r in rows] == ["X01"]


@pytest.mark.parametrize("data, words", [
    ((DATA / "not_a_catalogue.png").read_bytes(), "CSVファイルではありません"),
    ("名前,値段\nA,1\n".encode(), "見出し"),
    ("商品コード".encode("utf-16"), "UTF-8でもShift_JISでもありません"),
    (b"\xff\xfe\xfa\x80\x81", "UTF-8でもShift_JISでもありません"),
])
def test_a_file_that_is_not_a_catalogue_csv(data, words):
    with pytest.raises(NotCsvError, match=words):
        parse(data)


def test_import_then_export_gives_the_same_file_back(ledger):
    book = CatalogBook(ledger)
    rows, _, _ = parse((DATA / "catalogue_utf8.csv").read_bytes())
    plan = book.plan_import(rows)
    assert {c.kind for c in plan} == {"new"}
    assert book.import_rows(rows, by=1) == 5
    assert {c.kind for c in book.plan_import(rows)} == {"same"}
    exported = book.export_csv()
    assert exported.startswith("\ufeff".encode() + ",".join(HEADER).encode())
    again, errors, _ = parse(exported)
    assert errors == []
    assert {(r.code, r.name, r.price_yen, r.active) for r in rows} <= {(r.code, r.name, r.price_yen, r.active) for r in again}


def test_a_price_change_never_changes_a_committed_slip(ledger):
    book = CatalogBook(ledger)
    [latte] = [p for p in book.products() if p.name == "カフェラテ"]
    ledger.open_day(1, total_yen=10000)
    cart = Cart()
    cart.add_product(latte.id, latte.name, latte.price_yen, TaxClass(latte.tax_class))
    cart.add_payment(Payment(PaymentKind.CASH, "現金", 1000, "cash"))
    committed = ledger.commit_sale(cart, staff_id=1)
    book.save_product(latte.id, code=latte.code, name="カフェラテL", price="640", tax_class="food",
                      category_id=latte.category_id, sort_order="1", active=True, by=1)
    [line] = ledger.slip(committed.slip_id).lines
    assert (line.name, line.unit_price_yen) == ("カフェラテ", 520)
    assert ledger.product(latte.id).price_yen == 640


def test_product_refusals_change_nothing(ledger):
    book = CatalogBook(ledger)
    [latte] = [p for p in book.products() if p.name == "カフェラテ"]
    before = [(p.code, p.name, p.price_yen) for p in book.products()]
    for price, words in (("10000000", "¥9,999,999以下"), ("-1", "マイナス"), ("abc", "数字")):
        with pytest.raises(RegiError, match=words):
            book.save_product(None, code="N1", name="新商品", price=price, tax_class="food", category_id=latte.category_id,
                              sort_order="1", active=True, by=1)
    with pytest.raises(RegiError, match="商品コード「101」は別の商品"):
        book.save_product(None, code="101", name="新商品", price="100", tax_class="food", category_id=latte.category_id,
                          sort_order="1", active=True, by=1)
    assert [(p.code, p.name, p.price_yen) for p in book.products()] == before


def test_the_last_manager_stays_a_manager(ledger):
    book = StaffBook(ledger)
    [manager] = [m for m in book.all() if m.role == "manager"]
    with pytest.raises(RegiError, match="最後の責任者"):
        book.update(manager.id, name=manager.name, role="cashier", active=True, by=manager.id)
    with pytest.raises(RegiError, match="最後の責任者"):
        book.update(manager.id, name=manager.name, role="manager", active=False, by=manager.id)
    second = book.add("田中", "manager", "5678", "5678", by=manager.id)
    book.update(manager.id, name=manager.name, role="cashier", active=True, by=manager.id)  # now allowed
    with pytest.raises(RegiError, match="最後の責任者"):
        book.update(second.id, name="田中", role="manager", active=False, by=second.id)


def test_staff_refusals_name_the_field(ledger):
    book = StaffBook(ledger)
    count = len(book.all())
    with pytest.raises(RegiError, match="名前を入力"):
        book.add("  ", "cashier", "1234", "1234", by=1)
    with pytest.raises(RegiError, match="パスワード（確認）が一致しません"):
        book.add("田中", "cashier", "1234", "1243", by=1)
    with pytest.raises(RegiError, match="4〜8桁の数字"):
        book.add("田中", "cashier", "12a4", "12a4", by=1)
    assert len(book.all()) == count


def test_moving_products_that_share_an_order_numbers_them(ledger):
    book = CatalogBook(ledger)
    [drinks, *_] = book.categories()
    first, second, third = book.products(drinks.id)[:3]
    for product in (first, second, third):  # e.g. a CSV with 表示順 all 0
        book.save_product(product.id, code=product.code, name=product.name, price=str(product.price_yen),
                          tax_class=product.tax_class, category_id=drinks.id, sort_order="0", active=True, by=1)
    assert book.move_product(third.id, -1, by=1)
    orders = {p.id: p.sort_order for p in book.products(drinks.id)}
    assert [orders[first.id], orders[third.id], orders[second.id]] == [0, 1, 2]
    assert [p.id for p in book.products(drinks.id)][:3] == [first.id, third.id, second.id]
    assert not book.move_product(first.id, -1, by=1)  # first already: nothing changes
    assert book.categories()[0].id == drinks.id and not book.move_category(drinks.id, -1, by=1)
