"""The back office through the real screens (SPEC §8, issue 11): a new shop set up from an
empty ledger to its first sale, and every bad input refused with nothing changed."""
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.ledger.models import AuditRecord, Product
from app.testing.driver import RegisterDriver

DATA = Path(__file__).resolve().parents[1] / "data"
VALID_NUMBER = "T7000012050002"  # 国税庁's corporate number: its check digit follows the rule


@pytest.fixture
def shop(qtbot, tmp_path):
    """The demo shop (no terminal), 山田 店長 on SettingsScreen."""
    driver = RegisterDriver.start(tmp_path)
    driver.login("山田 店長", "1234")
    driver.open_register(30000)
    driver.tap("settingsButton")
    driver.wait_screen("SettingsScreen")
    yield driver
    driver.close()


def printed(path: Path) -> str:
    """What a Kanji-mode file printer received, as text."""
    return path.read_bytes().decode("cp932", errors="ignore")


def audits(driver, action):
    with driver.ledger.session() as db:
        return [(r.staff_id, json.loads(r.detail) if r.detail else None)
                for r in db.scalars(select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.id))]


def test_set_up_a_new_shop_from_an_empty_ledger(qtbot, tmp_path):
    driver = RegisterDriver.start(tmp_path, demo=False)
    try:
        # Nobody can log in yet: the first manager.
        driver.tap("firstSetupButton")
        driver.wait_dialog("FirstManagerDialog")
        driver.enter_text("staffNameEdit", "高橋 店長")
        driver.enter_text("passwordEdit", "2468")
        driver.enter_text("passwordAgainEdit", "2468")
        driver.tap("confirmButton")
        driver.login("高橋 店長", "2468")
        driver.open_register(20000)
        driver.tap("settingsButton")

        driver.tap("shopTab")
        for name, text in (("shopNameEdit", "ベーカリー髙橋"), ("shopAddressEdit", "大阪府大阪市北区梅田1-1"),
                           ("shopPhoneEdit", "06-1111-2222"), ("registrationNumberEdit", VALID_NUMBER),
                           ("registerCodeEdit", "B01"), ("registerNameEdit", "本店レジ")):
            driver.enter_text(name, text)
        driver.tap("saveShopButton")
        assert driver.dialog("RegistrationConfirmDialog") is None  # the check digit is right
        assert "保存しました" in driver.text("settingsNotice")

        receipts = tmp_path / "receipts.bin"
        driver.tap("printerTab")
        driver.tap("printerKind_file")
        driver.enter_text("printerTargetEdit", str(receipts))
        driver.tap("paper_576")
        driver.tap("printMode_kanji")
        driver.tap("drawer_off")
        driver.tap("testPrintButton")
        driver.wait_until(lambda: "テスト印刷" in driver.text("printerResultLabel") and "中" not in driver.text("printerResultLabel"))
        assert driver.text("printerResultLabel") == "テスト印刷しました。印刷を確認してください。"
        assert "テスト印刷" in printed(receipts) and "ベーカリー髙橋" in printed(receipts)
        driver.tap("savePrinterButton")

        driver.tap("staffTab")
        for name, role, password in (("伊藤", "cashier", "1357"), ("渡辺", "manager", "9753")):
            driver.tap("newStaffButton")
            driver.enter_text("staffNameEdit", name)
            driver.tap(f"role_{role}")
            driver.enter_text("passwordEdit", password)
            driver.enter_text("passwordAgainEdit", password)
            driver.tap("saveStaffButton")
            assert driver.message() == ""
        assert [(m.name, m.role) for m in driver.ledger.staff()] == [
            ("高橋 店長", "manager"), ("伊藤", "cashier"), ("渡辺", "manager")]

        driver.tap("catalogTab")
        driver.enter_text("csvPathEdit", str(DATA / "catalogue_utf8.csv"))
        driver.tap("importCsvButton")
        preview = driver.wait_dialog("CsvPreviewDialog")
        assert preview.lines[0] == "新規 D01 ブレンド珈琲 ¥480 飲食料品 ドリンク"
        driver.tap("confirmButton")
        driver.enter_text("csvPathEdit", str(DATA / "catalogue_cp932.csv"))  # Shift_JIS, and a new price for D01
        driver.tap("importCsvButton")
        preview = driver.wait_dialog("CsvPreviewDialog")
        assert "変更 D01 ブレンド珈琲：価格 ¥480 → ¥500" in preview.lines
        driver.tap("confirmButton")
        assert "取り込みました" in driver.text("settingsNotice")
        with driver.ledger.session() as db:
            assert {p.code: p.price_yen for p in db.scalars(select(Product))} == {
                "D01": 500, "D02": 1050, "D03": 650, "G01": 1500, "G02": 2000, "B01": 180, "B02": 220, "B03": 420}

        # 伊藤 sells; the receipt carries the new shop, 登録番号 and products.
        driver.tap("backButton")
        driver.login("伊藤", "1357")
        driver.tap("checkoutButton")
        driver.add_products("塩パン", "ブレンド珈琲", "髙橋さんの食パン")
        driver.pay("cashMethodButton", None)
        driver.wait_screen("CheckoutDoneScreen")
        driver.tap("printReceiptButton")
        driver.wait_devices()
        receipt = printed(receipts).split("テスト印刷")[-1]
        for words in ("ベーカリー髙橋", "登録番号", VALID_NUMBER, "塩パン", "ブレンド珈琲", "髙橋さんの食パン", "本店レジ"):
            assert words in receipt, words
        [slip] = driver.slips()
        assert [(line.name, line.unit_price_yen) for line in slip.lines] == [("塩パン", 180), ("ブレンド珈琲", 500), ("髙橋さんの食パン", 420)]
    finally:
        driver.close()


def test_a_registration_number_not_t_and_13_digits_is_refused(shop):
    shop.tap("shopTab")
    for bad in ("1234567890123", "T12345", "T123456789012X", "T12345678901２3"):
        shop.enter_text("registrationNumberEdit", bad)
        shop.tap("saveShopButton")
        assert "登録番号は「T」と13桁の数字" in shop.message()
    assert shop.ledger.settings().registration_number == "T1234567890123"


def test_a_registration_number_failing_the_check_digit_asks_first(shop):
    shop.tap("shopTab")
    shop.enter_text("registrationNumberEdit", "T1000012050002")
    shop.tap("saveShopButton")
    shop.wait_dialog("RegistrationConfirmDialog")
    shop.tap("cancelButton")
    assert shop.ledger.settings().registration_number == "T1234567890123"
    shop.tap("saveShopButton")
    shop.wait_dialog("RegistrationConfirmDialog")
    shop.tap("confirmButton")
    assert shop.ledger.settings().registration_number == "T1000012050002"
    [(who, detail)] = audits(shop, "settings_change")
    assert detail == {"registration_number": ["T1234567890123", "T1000012050002"]} and who == shop.context.staff.id


def test_a_register_renamed_keeps_its_open_day(shop):
    day = shop.ledger.current_day()
    shop.tap("shopTab")
    shop.enter_text("registerCodeEdit", "R02")
    shop.enter_text("registerNameEdit", "2番レジ")
    shop.tap("saveShopButton")
    assert (shop.ledger.register().code, shop.ledger.register().name) == ("R02", "2番レジ")
    shop.tap("backButton")
    shop.tap("checkoutButton")  # no 開局 again: the same day
    shop.add_products("プリン")
    shop.pay("cashMethodButton", None)
    shop.wait_screen("CheckoutDoneScreen")
    assert shop.ledger.current_day().id == day.id
    assert shop.slips()[-1].session_id == day.id


@pytest.mark.parametrize("kind, target, words", [
    ("network", "192.168.1.300", "プリンターのIPアドレスが正しくありません"),
    ("network", "192.168.1.60:70000", "プリンターのポートは1〜65535"),
    ("network", "192.168.1.60:0", "プリンターのポートは1〜65535"),
    ("usb", "04b8", "USBの指定"),
    ("file", "", "出力先ファイル"),
])
def test_a_printer_address_out_of_range_is_refused(shop, kind, target, words):
    shop.tap("printerTab")
    shop.tap(f"printerKind_{kind}")
    shop.enter_text("printerTargetEdit", target)
    shop.tap("savePrinterButton")
    assert words in shop.message()
    shop.tap("testPrintButton")
    assert words in shop.message()
    assert shop.ledger.settings().printer_kind == "preview"


def test_a_test_print_on_a_printer_that_is_off_says_why(shop):
    shop.tap("printerTab")
    shop.tap("printerKind_network")
    shop.enter_text("printerTargetEdit", "127.0.0.1:9")  # nothing listens there
    shop.tap("testPrintButton")
    shop.wait_until(lambda: "できませんでした" in shop.text("printerResultLabel"), timeout=10)
    assert "プリンターに接続できません" in shop.text("printerResultLabel")


def test_printer_settings_take_effect_without_a_restart(shop, tmp_path):
    out = tmp_path / "out.bin"
    shop.tap("printerTab")
    shop.tap("printerKind_file")
    shop.enter_text("printerTargetEdit", str(out))
    shop.tap("printMode_kanji")
    shop.tap("customerSlip_auto")
    shop.tap("savePrinterButton")
    assert shop.ledger.settings().customer_slip_auto is True
    shop.tap("backButton")
    shop.tap("checkoutButton")
    shop.add_products("プリン")
    shop.pay("cashMethodButton", None)
    shop.tap("printReceiptButton")
    shop.wait_devices()
    assert "プリン" in printed(out)


@pytest.mark.parametrize("price, words", [("10000000", "価格は¥9,999,999以下"), ("-1", "価格にマイナス"), ("", "価格は数字")])
def test_a_price_out_of_range_is_refused(shop, price, words):
    shop.tap("catalogTab")
    shop.tap("editProduct_102")  # カフェラテ
    shop.enter_text("productPriceEdit", price)
    shop.tap("saveProductButton")
    assert words in shop.message()
    assert shop.ledger.product(2).price_yen == 520


def test_the_product_form_shows_the_tax_its_price_holds(shop):
    shop.tap("catalogTab")
    shop.tap("editProduct_102")  # カフェラテ ¥520, 飲食料品
    assert shop.text("productTaxNote") == "税込¥520：持ち帰り8% うち消費税¥38／店内10% うち消費税¥47"
    shop.enter_text("productPriceEdit", "1100")
    assert shop.text("productTaxNote") == "税込¥1,100：持ち帰り8% うち消費税¥81／店内10% うち消費税¥100"
    shop.tap("tax_standard")
    assert shop.text("productTaxNote") == "税込¥1,100：10% うち消費税¥100"
    shop.enter_text("productPriceEdit", "abc")
    assert shop.text("productTaxNote") == ""
    shop.tap("checkoutRulesTab")  # a shop that does not ask 店内 / 持ち帰り: food is eaten in
    shop.tap("eatInChoice_off")
    shop.tap("saveCheckoutRulesButton")
    shop.tap("catalogTab")
    shop.tap("editProduct_102")
    assert shop.text("productTaxNote") == "税込¥520：店内10% うち消費税¥47"


def test_a_duplicate_product_code_is_refused(shop):
    shop.tap("catalogTab")
    shop.tap("newProductButton")
    shop.enter_text("productCodeEdit", "101")  # ブレンドコーヒー's
    shop.enter_text("productNameEdit", "新しいコーヒー")
    shop.enter_text("productPriceEdit", "300")
    shop.tap("saveProductButton")
    assert "商品コード「101」は別の商品で使われています" in shop.message()
    assert len(shop.window.current_screen.backoffice_pages[-1].book.products()) == 30


def test_a_product_added_and_changed_on_the_tablet(shop):
    shop.tap("backButton")
    shop.tap("checkoutButton")
    shop.add_products("カフェラテ")
    shop.pay("cashMethodButton", None)
    shop.wait_screen("CheckoutDoneScreen")
    shop.tap("topButton")
    shop.tap("settingsButton")
    shop.tap("catalogTab")
    shop.tap("newProductButton")
    shop.enter_text("productCodeEdit", "501")
    shop.enter_text("productNameEdit", "季節のタルト")
    shop.enter_text("productPriceEdit", "680")
    shop.choose("productCategoryCombo", "スイーツ")
    shop.tap("saveProductButton")
    shop.tap("editProduct_102")
    shop.enter_text("productPriceEdit", "550")
    shop.tap("productActive_off")
    shop.tap("saveProductButton")
    assert shop.message() == ""
    actions = audits(shop, "product_add") + audits(shop, "product_change")
    assert actions[0][1]["name"] == [None, "季節のタルト"]
    assert actions[1][1] == {"price_yen": [520, 550], "active": [True, False], "source": "screen"}
    shop.tap("backButton")
    shop.tap("checkoutButton")
    names = [p.name for c in shop.ledger.catalog() for p in c.products]
    assert "季節のタルト" in names and "カフェラテ" not in names
    [line] = shop.slips()[0].lines  # sold before the change: as it was
    assert (line.name, line.unit_price_yen) == ("カフェラテ", 520)


def checkout_shelves(driver) -> tuple[list[str], list[str]]:
    """What CheckoutScreen shows: the category buttons left to right, and the tiles of the shown category."""
    screen = driver.window.current_screen
    row = screen.category_row
    buttons = [row.itemAt(i).widget() for i in range(row.count())]
    categories = [button.text() for button in buttons if button and not button.isHidden()]  # not the replaced ones
    grid = screen.tile_pages.currentWidget().layout()
    tiles = [grid.itemAt(i).widget().text().split("\n")[0] for i in range(grid.count())]
    return categories, tiles


def test_categories_renamed_and_reordered_on_the_tablet(shop):
    shop.tap("catalogTab")
    shop.tap("editCategoriesButton")
    shop.wait_dialog("CategoryDialog")
    shop.tap("categoryRow_2")  # フード
    assert shop.find("categoryNameEdit").text() == "フード"
    shop.enter_text("categoryNameEdit", "ドリンク")
    shop.tap("renameCategoryButton")
    assert shop.text("messageLabel") == "カテゴリ「ドリンク」はもうあります。"
    shop.enter_text("categoryNameEdit", "")
    shop.tap("renameCategoryButton")
    assert shop.text("messageLabel") == "カテゴリ名を入力してください。"
    assert [c.name for c in shop.ledger.catalog()] == ["ドリンク", "フード", "スイーツ", "グッズ"]
    shop.enter_text("categoryNameEdit", "フード・軽食")
    shop.tap("renameCategoryButton")
    shop.tap("moveCategoryUpButton")
    assert not shop.find("moveCategoryUpButton").isEnabled()  # first now
    shop.tap("categoryRow_4")  # グッズ, last
    assert not shop.find("moveCategoryDownButton").isEnabled()
    shop.enter_text("categoryNameEdit", "季節限定")
    shop.tap("addCategoryButton")
    shop.tap("closeButton")
    assert [c.name for c in shop.ledger.catalog()] == ["フード・軽食", "ドリンク", "スイーツ", "グッズ", "季節限定"]
    assert shop.find("categoryFilterCombo").itemText(1) == "フード・軽食"
    changes = [detail for _who, detail in audits(shop, "category_change")]
    assert {"name": ["フード", "フード・軽食"]} in changes
    assert {"sort_order": [1, 0], "source": "screen"} in changes and {"sort_order": [0, 1], "source": "screen"} in changes
    assert [detail for _who, detail in audits(shop, "category_add")] == [{"name": [None, "季節限定"]}]
    shop.tap("backButton")
    shop.tap("checkoutButton")
    assert checkout_shelves(shop)[0] == ["フード・軽食", "ドリンク", "スイーツ", "グッズ", "季節限定"]
    new_category = shop.ledger.catalog()[-1]
    shop.tap(f"category_{new_category.id}")  # no products yet: said, not an empty grid
    assert shop.text("emptyCategoryLabel").startswith("このカテゴリには商品がありません。")


def test_a_product_moved_among_its_tiles(shop):
    shop.tap("backButton")
    shop.tap("checkoutButton")
    assert checkout_shelves(shop)[1][:5] == ["ブレンドコーヒー", "カフェラテ", "カプチーノ", "アイスコーヒー", "紅茶"]
    shop.tap("backButton")
    shop.tap("settingsButton")
    shop.tap("catalogTab")
    assert not shop.find("moveProductUpButton").isEnabled()  # nothing chosen yet
    shop.tap("editProduct_105")  # 紅茶
    shop.tap("moveProductUpButton")
    shop.tap("moveProductUpButton")
    assert shop.find("productOrderEdit").text() == "2"
    shop.tap("editProduct_101")
    shop.tap("moveProductUpButton")  # already first
    assert shop.message() == "これ以上前には動かせません。"
    shop.tap("backButton")
    shop.tap("checkoutButton")
    assert checkout_shelves(shop)[1][:5] == ["ブレンドコーヒー", "カフェラテ", "紅茶", "カプチーノ", "アイスコーヒー"]
    assert {"sort_order": [4, 3], "source": "screen"} in [d for _who, d in audits(shop, "product_change")]


def test_a_csv_with_broken_rows_imports_nothing(shop):
    shop.tap("catalogTab")
    shop.enter_text("csvPathEdit", str(DATA / "catalogue_broken.csv"))
    shop.tap("importCsvButton")
    dialog = shop.wait_dialog("CsvErrorsDialog")
    assert dialog.lines == [
        "3行目: 価格は¥9,999,999以下で入力してください。", "4行目: 価格にマイナスは入力できません。",
        "5行目: 商品コード「X01」が2行目と重複しています。", "6行目: 税区分は「飲食料品」か「標準」です。",
        "7行目: 列の数が3です（7列必要です）。", "8行目: 商品名を入力してください。"]
    assert "何も取り込んでいません" in shop.message()
    shop.tap("closeButton")
    with shop.ledger.session() as db:
        assert db.scalar(select(Product).where(Product.code == "X01")) is None


def test_a_file_that_is_not_csv_is_refused(shop):
    shop.tap("catalogTab")
    shop.enter_text("csvPathEdit", str(DATA / "not_a_catalogue.png"))
    shop.tap("importCsvButton")
    assert "CSVファイルではありません" in shop.message()
    assert shop.dialog() is None


def test_csv_export_reads_back_in(shop, tmp_path):
    out = tmp_path / "export.csv"
    shop.tap("catalogTab")
    shop.enter_text("csvPathEdit", str(out))
    shop.tap("exportCsvButton")
    assert out.read_bytes().decode("utf-8-sig").splitlines()[:2] == [
        "商品コード,商品名,価格,税区分,カテゴリ,表示順,販売", "101,ブレンドコーヒー,450,飲食料品,ドリンク,0,1"]
    shop.tap("importCsvButton")
    assert "変更はありません" in shop.text("settingsNotice")


def test_an_empty_staff_name_is_refused(shop):
    shop.tap("staffTab")
    shop.tap("newStaffButton")
    shop.enter_text("passwordEdit", "1234")
    shop.enter_text("passwordAgainEdit", "1234")
    shop.tap("saveStaffButton")
    assert shop.message() == "名前を入力してください。"
    assert len(shop.ledger.staff()) == 3


def test_two_passwords_that_differ_are_refused(shop):
    shop.tap("staffTab")
    shop.tap_staff("佐藤")
    shop.enter_text("passwordEdit", "4321")
    shop.enter_text("passwordAgainEdit", "4312")
    shop.tap("resetPasswordButton")
    assert "パスワード（確認）が一致しません" in shop.message()
    shop.enter_text("passwordAgainEdit", "4321")
    shop.tap("resetPasswordButton")
    assert shop.text("settingsNotice") == "パスワードを変更しました。"
    shop.tap("backButton")
    shop.login("佐藤", "4321")
    assert shop.screen() == "TopScreen"


def test_staff_renamed_disabled_and_the_last_manager_kept(shop):
    shop.tap("staffTab")
    shop.tap_staff("山田 店長")
    shop.tap("role_cashier")
    shop.tap("saveStaffButton")
    assert "最後の責任者" in shop.message()
    shop.tap_staff("鈴木")
    shop.enter_text("staffNameEdit", "鈴木 花子")
    shop.tap("staffActive_off")
    shop.tap("saveStaffButton")
    assert [m.name for m in shop.ledger.staff()] == ["山田 店長", "佐藤"]  # 鈴木 cannot log in
    [(who, detail)] = audits(shop, "staff_change")
    assert detail == {"name": ["鈴木", "鈴木 花子"], "active": [True, False]}


def test_tenders_tax_rounding_and_eat_in_change_the_next_checkout(shop):
    shop.tap("checkoutRulesTab")
    shop.tap("rounding_ceil")
    shop.tap("eatInChoice_off")
    shop.tap("retireTender_gift_voucher")
    shop.enter_text("tenderLabel_manual_credit", "クレジット（手書き）")
    shop.tap("addTenderButton")
    shop.enter_text("tenderLabel_other_1", "QUOカード")
    shop.tap("saveCheckoutRulesButton")
    settings = shop.ledger.settings()
    assert (settings.tax_rounding, settings.sells_food) == ("ceil", False)
    assert [(t.label, t.retired) for t in settings.tenders] == [("商品券", True), ("クレジット（手書き）", False), ("QUOカード", False)]
    shop.tap("backButton")
    shop.tap("checkoutButton")
    with pytest.raises(AssertionError, match="no visible 'eatInButton'"):
        shop.find("eatInButton")
    shop.add_products("プリン")
    shop.tap("otherMethodButton")
    dialog = shop.wait_dialog("OtherTenderDialog")
    assert dialog.findChildren(type(shop.find("cashMethodButton")), "tender_gift_voucher") == []
    shop.tap("tender_other_1")
    shop.tap("remainingButton")
    shop.tap("payButton")
    shop.wait_screen("CheckoutDoneScreen")
    assert [t.label for t in shop.slips()[-1].tenders] == ["QUOカード"]


def test_an_empty_tender_name_is_refused(shop):
    shop.tap("checkoutRulesTab")
    shop.enter_text("tenderLabel_gift_voucher", "")
    shop.tap("saveCheckoutRulesButton")
    assert shop.message() == "その他支払の名前を入力してください。"
    assert shop.ledger.settings().tenders[0].label == "商品券"
