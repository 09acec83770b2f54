"""Issue 8 (SPEC §9): no UI stall where a cashier taps, and nothing piles up sale after sale.

Speed itself is measured by bench/ui_gaps.py and bench/soak.py; these tests check the
behaviour that makes it so: passwords are checked off the UI thread while the screen stays
usable and says so, the cashier's screens are built ahead, dialogs and rows do not pile up.
"""
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QFrame, QWidget

from app.ui.main_window import AHEAD


def click_without_waiting(register, name):
    """A real click that returns before the password worker answers (unlike ``tap``)."""
    QTest.mouseClick(register.find(name, tappable=True), Qt.LeftButton)


def test_login_is_checked_off_the_ui_thread_with_the_inputs_disabled(register):
    register.tap_staff("佐藤")
    register.type_digits("1111")
    click_without_waiting(register, "loginButton")
    # The answer can only arrive through the event loop, which has not run since the click.
    assert register.screen() == "LoginScreen"
    assert register.message() == "確認中…"
    assert not register.find("loginButton").isEnabled()
    assert not register.find("key1").isEnabled()
    register.wait_passwords()
    assert register.screen() == "OpenScreen"
    assert register.context.staff.name == "佐藤"


def test_wrong_password_is_refused_after_the_check_and_the_inputs_come_back(register):
    register.tap_staff("鈴木")
    register.type_digits("0000")
    click_without_waiting(register, "loginButton")
    assert not register.find("loginButton").isEnabled()
    register.wait_passwords()
    assert register.screen() == "LoginScreen"
    assert "パスワードが違います" in register.message()
    assert register.find("loginButton").isEnabled()
    assert register.text("passwordDisplay") == ""
    assert register.context.staff is None


def test_manager_password_is_checked_off_the_ui_thread(register):
    register.start_checkout()
    register.add_products("パンケーキ")
    register.type_digits("10")
    register.tap("discountPercentButton")
    dialog = register.wait_dialog("ManagerAuthDialog")
    register.type_digits("1234")
    click_without_waiting(register, "okButton")
    assert dialog.message_label.text() == "確認中…"
    assert not register.find("okButton").isEnabled() and not register.find("cancelButton").isEnabled()
    register.wait_passwords()
    register.wait_until(lambda: register.dialog("ManagerAuthDialog") is None, what="the dialog to close")
    assert register.text("totalLabel") == "¥792"  # 10 % off ¥880


def test_the_cashiers_screens_are_built_while_the_login_screen_waits(register):
    register.wait_until(lambda: all(name in register.window.screens for name in AHEAD), what="the screens built ahead")
    assert register.screen() == "LoginScreen"  # built while the register waited for a login
    checkout = register.window.screens["CheckoutScreen"]
    assert not checkout.isVisible()
    assert checkout.findChildren(QWidget, "product_1")  # the tiles too, before the first checkout
    register.start_checkout()
    assert register.window.current_screen is checkout


def test_closed_dialogs_are_deleted(register):
    register.start_checkout()
    register.add_products("カレーライス")
    for _ in range(3):
        register.tap("otherMethodButton")
        register.wait_dialog("OtherTenderDialog")
        register.tap("tender_gift_voucher")
    screen = register.window.current_screen
    register.wait_until(lambda: not screen.findChildren(QDialog, "OtherTenderDialog"), what="the closed dialogs to be deleted")
    assert register.text("methodLabel") == "商品券"


def test_cart_rows_are_reused_not_piled_up(register):
    register.start_checkout()
    rows = lambda: register.window.current_screen.cart_view.rows_widget.findChildren(QFrame, "", Qt.FindDirectChildrenOnly)  # noqa: E731
    for _ in range(3):
        register.add_products("プリン", "カフェラテ", "紅茶")
        for _ in range(3):
            register.tap("lineDelete_0")
    assert len(rows()) == 3
    assert register.text("totalLabel") == "¥0"
    register.add_products("プリン")
    assert register.find("lineName_0").text().startswith("プリン")
    assert [row.isHidden() for row in rows()] == [False, True, True]


def test_the_screens_built_ahead_are_laid_out_before_their_first_show(register):
    """SPEC §9: each screen built ahead is also laid out at the window's size in idle time, so
    its first show pays no first layout (the checkout's tiles have their places already)."""
    window = register.window
    ready = lambda: all(name in window.screens and window.screens[name].size() == window.stack.size() for name in AHEAD)  # noqa: E731
    register.wait_until(ready, what="the screens built ahead laid out")
    assert register.screen() == "LoginScreen"
    tile = window.screens["CheckoutScreen"].findChild(QWidget, "product_1")
    assert not tile.isVisible() and tile.width() >= 48 and tile.height() >= 48


def test_a_sale_is_committed_off_the_ui_thread_and_taps_wait_for_it(register, monkeypatch):
    """SPEC §9, R-CHK: 会計's commit runs on the ledger worker; the checkout says 記録中… and
    takes no taps meanwhile; 会計完了 shows only once the slip is committed."""
    register.start_checkout()
    window = register.window

    def tap_through_window(name):  # as a finger would: the window finds the widget under it
        widget = register.find(name, tappable=True)
        QTest.mouseClick(window.windowHandle(), Qt.LeftButton, Qt.KeyboardModifier(0),
                         widget.mapTo(window, widget.rect().center()))
        QApplication.processEvents()

    product = next(p for c in register.ledger.catalog() for p in c.products if p.name == "カフェラテ")
    register.tap(f"category_{product.category_id}")
    tap_through_window(f"product_{product.id}")
    total = register.text("totalLabel")
    assert total != "¥0"  # the window's way in reaches the tiles
    ledger, started, release = register.ledger, [], threading.Event()
    commit = ledger.commit_sale

    def held_commit(cart, staff_id):
        started.append(threading.current_thread().name)
        release.wait(10)
        return commit(cart, staff_id)

    monkeypatch.setattr(ledger, "commit_sale", held_commit)
    register.tap("remainingButton")
    click_without_waiting(register, "payButton")
    register.wait_until(lambda: started, what="the commit to start")
    QApplication.processEvents()
    assert started == ["regi-ledger_0"]
    assert register.screen() == "CheckoutScreen"
    assert register.message() == "記録中…"
    tap_through_window(f"product_{product.id}")  # held: reaches nothing
    assert register.text("totalLabel") == total
    assert register.slips() == []
    release.set()
    register.wait_passwords()
    assert register.screen() == "CheckoutDoneScreen"
    [slip] = register.slips()
    assert f"¥{slip.total_yen:,}" == total


def test_the_manager_dialog_is_reused_empty_and_answers_only_its_own_asking(register):
    """SPEC §9: the checkout's 責任者確認 is one dialog, kept once closed and shown again empty
    (a new window each time cost half a frame); a cancelled asking authorizes nothing."""
    register.start_checkout()
    register.add_products("パンケーキ")
    register.type_digits("10")
    register.tap("discountPercentButton")
    first = register.wait_dialog("ManagerAuthDialog")
    register.type_digits("12")
    register.tap("cancelButton")
    register.wait_until(lambda: register.dialog("ManagerAuthDialog") is None, what="the dialog to close")
    assert register.text("totalLabel") == "¥880"
    register.clear_tenkey()
    register.type_digits("10")
    register.tap("discountPercentButton")
    second = register.wait_dialog("ManagerAuthDialog")
    assert second is first
    assert register.text("passwordDisplay") == "" and register.find("okButton").isEnabled()
    register.type_digits("1234")
    register.tap("okButton")
    register.wait_until(lambda: register.dialog("ManagerAuthDialog") is None, what="the dialog to close")
    assert register.text("totalLabel") == "¥792"  # 10 % off ¥880, once


@pytest.fixture
def warm_threads(monkeypatch):
    """The threads that ran the printing warm-up (patched before the register starts)."""
    import threading

    import app.ui.warm as warm

    threads, real = [], warm._warm
    monkeypatch.setattr(warm, "_warm", lambda: (threads.append(threading.current_thread().name), real()))
    return threads


def test_the_printing_path_is_loaded_ahead_on_the_device_worker(warm_threads, register):
    """SPEC §9: the first receipt does not load python-escpos, Pillow or the receipt font on
    the UI thread: the device worker loads them once the ledger is open, before a login."""
    register.wait_devices()
    register.wait_until(lambda: warm_threads, what="the printing warm-up")
    assert len(warm_threads) == 1 and warm_threads[0].startswith("regi-device")
    from app.core.printing.render import font

    assert font.cache_info().currsize > 0
