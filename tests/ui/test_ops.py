"""The shared UI operations (app/ui/ops.py, issue 15) as a user meets them."""

from __future__ import annotations


def test_a_drawer_that_fails_again_offers_retry_again(register, printer):
    register.start_checkout()
    register.add_products("マフィン")
    printer.fail_next(2)
    register.pay("cashMethodButton", 1000)
    register.wait_screen("CheckoutDoneScreen")
    first = register.wait_dialog("ErrorDialog")
    assert first.windowTitle() == "ドロアを開けませんでした" and "プリンター" in first.message
    register.tap("retryButton")                        # fails again: the same dialog, not silence
    register.wait_until(lambda: register.dialog("ErrorDialog") not in (None, first), what="a second ErrorDialog")
    assert printer.drawer_kicks == 0
    register.tap("retryButton")
    register.wait_until(lambda: printer.drawer_kicks == 1, what="the drawer to open")
    assert register.dialog("ErrorDialog") is None
    assert len(register.slips()) == 1                  # the sale was never in question


def test_a_manager_is_not_asked_for_a_password_and_is_recorded_as_authoriser(register):
    register.login("山田 店長", "1234")
    register.open_register(30000)
    register.tap("settingsButton")
    register.wait_screen("SettingsScreen")
    assert register.dialog("ManagerAuthDialog") is None
    assert register.window.current_screen.authorized_by.name == "山田 店長"
