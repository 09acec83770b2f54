"""R-LOGIN and R-OPEN through the real screens on a real SQLite ledger."""
from datetime import datetime

import pytest

from app.core.clock import FixedClock


@pytest.fixture
def register_clock():
    return FixedClock(datetime(2026, 11, 21, 9, 0, 0))


def test_login_lists_staff_as_tiles_and_opens_the_day(register):
    assert register.screen() == "LoginScreen"
    assert register.text("staffTile_1").startswith("山田 店長")
    register.login("佐藤", "1111")
    assert register.screen() == "OpenScreen"
    assert register.context.staff.name == "佐藤"


def test_wrong_password_changes_nothing(register):
    register.login("佐藤", "9999")
    assert register.screen() == "LoginScreen"
    assert "パスワードが違います" in register.message()
    assert register.context.staff is None
    assert register.sessions() == []


def test_no_staff_selected(register):
    register.type_digits("1111")
    register.tap("loginButton")
    assert register.message() == "担当者を選択してください。"
    assert register.screen() == "LoginScreen"


def test_five_wrong_passwords_lock_for_sixty_seconds(register, register_clock):
    for _ in range(5):
        register.login("鈴木", "0000")
    assert "60秒間ロック" in register.message()
    register.login("鈴木", "2222")
    assert register.screen() == "LoginScreen"
    assert "ロック中" in register.message()
    register_clock.advance(seconds=60)
    register.login("鈴木", "2222")
    assert register.screen() == "OpenScreen"


def test_open_by_denomination_writes_the_float(register):
    register.login("山田 店長", "1234")
    for denomination, count in ((10000, 1), (1000, 10), (100, 25)):
        register.tap(f"denom_{denomination}")
        register.type_digits(str(count))
    register.tap("plus_500")
    register.tap("plus_500")
    assert register.text("floatTotalLabel") == "¥23,500"
    register.tap("confirmButton")
    register.wait_screen("TopScreen")
    [session] = register.sessions()
    assert session.float_yen == 23500
    from sqlalchemy import select

    from app.core.ledger.models import FloatCount

    with register.ledger.session() as db:
        counts = {c.denomination_yen: c.count for c in db.scalars(select(FloatCount))}
    assert counts == {10000: 1, 1000: 10, 500: 2, 100: 25}
    assert "¥23,500" in register.text("sessionLabel")


def test_open_by_total(register):
    register.login("佐藤", "1111")
    register.open_register(total_yen=50000)
    assert register.sessions()[0].float_yen == 50000


def test_negative_count_is_refused(register):
    register.login("佐藤", "1111")
    register.tap("minus_1000")
    assert register.message() == "1,000円の枚数はマイナスにできません。"
    assert register.text("count_1000") == "0 枚"
    # a negative count that reaches 「確定」 by any other way is refused too, and nothing is written
    register.window.current_screen.set_counts({1000: -2})
    register.tap("confirmButton")
    assert register.screen() == "OpenScreen"
    assert "マイナス" in register.message()
    assert register.sessions() == []


def test_count_digits_are_limited(register):
    register.login("佐藤", "1111")
    register.tap("denom_10")
    register.type_digits("99999")
    assert register.text("count_10") == "9999 枚"
    assert "4桁まで" in register.message()


def test_open_register_skips_the_open_screen(register):
    register.login("佐藤", "1111")
    register.open_register(10000)
    register.tap("logoutButton")
    assert register.screen() == "LoginScreen"
    register.login("鈴木", "2222")
    assert register.screen() == "TopScreen"
    assert len(register.sessions()) == 1
