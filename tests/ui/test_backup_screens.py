"""Issue 13: backups from the register — the day's first login, 「今すぐバックアップ」 in 設定
with the integrity check shown, and a failed backup on the top screen until one succeeds."""
from __future__ import annotations

from dataclasses import replace

from app.core.ledger.sqlite_copy import integrity_check


def backups(register):
    return sorted((register.data_dir / "backups").glob("regi-*.db"), key=lambda p: p.stat().st_mtime_ns)  # oldest first


def visible(register, name):
    try:
        register.find(name)
        return True
    except AssertionError:
        return False


def test_the_days_first_login_backs_up_the_ledger(register):
    register.login("佐藤", "1111")
    register.wait_devices()
    [first] = backups(register)
    assert integrity_check(first) == "ok"
    register.reset_to_login()
    register.login("鈴木", "2222")
    register.wait_devices()
    assert backups(register) == [first]  # not again the same day
    register.open_register()
    assert not visible(register, "backupLabel")


def test_backup_now_from_settings_shows_the_integrity_check(register):
    register.login("山田 店長", "1234")
    register.open_register()
    register.wait_devices()
    register.tap("settingsButton")
    register.wait_screen("SettingsScreen")
    register.tap("backupNowButton")
    register.wait_dialog("BackupResultDialog")
    message = register.text("dialogMessage")
    assert "整合性チェック：正常（ok）" in message
    assert len(backups(register)) == 2 and str(backups(register)[-1]) in message
    register.tap("closeButton")


def test_a_failed_backup_stays_on_the_top_screen_until_one_succeeds(register, tmp_path):
    ledger = register.ledger
    unplugged = tmp_path / "usb-not-mounted" / "regi"
    ledger.save_settings(replace(ledger.settings(), backup_dir=str(unplugged)), None)
    register.login("佐藤", "1111")
    register.open_register()
    register.wait_devices()
    assert "バックアップできませんでした" in register.text("backupLabel")
    register.reset_to_login()
    register.login("山田 店長", "1234")  # retried at the next login, still failing
    register.wait_devices()
    register.wait_screen("TopScreen")
    assert "バックアップできませんでした" in register.text("backupLabel")
    unplugged.parent.mkdir()  # the stick is back
    register.tap("settingsButton")
    register.tap("backupNowButton")
    register.wait_dialog("BackupResultDialog")
    assert "整合性チェック：正常" in register.text("dialogMessage")
    register.tap("closeButton")
    register.tap("backButton")
    register.wait_screen("TopScreen")
    assert not visible(register, "backupLabel")
    assert len(list(unplugged.glob("regi-*.db"))) == 1
