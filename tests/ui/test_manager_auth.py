"""Issue 9 (locked down), R-LOGIN: manager authorisation locks after 5 wrong passwords for
60 s like login, audits every attempt, and refuses a manager whose own login is locked."""
from datetime import datetime

import pytest
from sqlalchemy import select

from app.core.clock import FixedClock
from app.core.ledger.models import AuditRecord


@pytest.fixture
def register_clock():
    return FixedClock(datetime(2026, 11, 21, 9, 0, 0))


def ask_manager(register):
    """From the top screen, 設定 asks a cashier for a manager's password."""
    register.tap("settingsButton")
    return register.wait_dialog("ManagerAuthDialog")


def try_password(register, dialog, password):
    register.type_digits(password)
    register.tap("okButton")
    return dialog.message_label.text()


def audit_actions(register):
    with register.ledger.session() as db:
        return [(r.action, r.reason) for r in db.scalars(
            select(AuditRecord).where(AuditRecord.action.like("manager_auth%")).order_by(AuditRecord.id))]


def test_five_wrong_passwords_lock_manager_authorisation(register, register_clock):
    register.login("佐藤", "1111")
    register.open_register(10000)
    dialog = ask_manager(register)
    for left in (4, 3, 2, 1):
        assert f"あと{left}回" in try_password(register, dialog, "0000")
    assert "60秒間ロック" in try_password(register, dialog, "0000")
    assert "ロック中" in try_password(register, dialog, "1234")   # the right one, too early
    assert register.screen() == "TopScreen"
    assert register.dialog("ManagerAuthDialog") is dialog
    register_clock.advance(seconds=60)
    register.type_digits("1234")
    register.tap("okButton")
    register.wait_screen("SettingsScreen")
    assert audit_actions(register) == (
        [("manager_auth_failed", "wrong password")] * 5 + [("manager_auth_locked", None),
                                                           ("manager_auth_failed", "locked"), ("manager_auth", None)])
    with register.ledger.session() as db:
        ok = db.scalars(select(AuditRecord).where(AuditRecord.action == "manager_auth")).one()
    assert (ok.staff_id, ok.authorized_by_id) == (2, 1)   # 佐藤 asked, 山田 店長 authorised


def test_the_lock_survives_a_restart_of_the_register(register, register_clock):
    register.login("佐藤", "1111")
    register.open_register(10000)
    for _ in range(5):
        with pytest.raises(Exception, match="パスワード"):
            register.ledger.authorize_manager("0000")
    from app.core.ledger.ledger import Ledger
    reopened = Ledger(register.ledger.url, register_clock)   # what a restarted register reads
    try:
        with pytest.raises(Exception, match="ロック中"):
            reopened.authorize_manager("1234")
    finally:
        reopened.dispose()


def test_a_manager_whose_login_is_locked_is_refused(register, register_clock):
    for _ in range(5):
        register.login("山田 店長", "0000")       # locks 山田's login
    assert "60秒間ロック" in register.message()
    register.login("佐藤", "1111")
    register.open_register(10000)
    dialog = ask_manager(register)
    assert "山田 店長さんはロック中" in try_password(register, dialog, "1234")
    assert register.dialog("ManagerAuthDialog") is dialog
    assert audit_actions(register)[-1] == ("manager_auth_failed", "login locked")
