"""The README's testing examples, verbatim: they must stay true."""


def test_split_between_cash_and_gift_voucher(register, printer):
    register.start_checkout()                          # 佐藤 logs in, opens with ¥30,000
    register.add_products("ナポリタン", "アイスコーヒー")  # ¥1,460, take-out
    register.pay("otherMethodButton", 1000, tender="gift_voucher")
    assert register.text("remainingLabel") == "¥460"
    register.pay("cashMethodButton", None)             # 「残額」 then 「会計」
    register.wait_screen("CheckoutDoneScreen")
    [slip] = register.slips()
    assert [(t.label, t.amount_yen) for t in slip.tenders] == [("商品券", 1000), ("現金", 460)]
    register.tap("printReceiptButton")
    register.wait_devices()
    assert "商品券" in printer.jobs[0].text


def test_disconnect_after_the_card_is_read(register, terminal):
    register.start_checkout()
    register.add_products("カフェラテ")
    register.tap("terminalMethodButton")
    register.tap("usenpayCreditButton")                # TerminalPickerScreen
    register.tap("remainingButton")
    register.tap("payButton")
    register.tap("terminalLinkButton")                 # PaymentConfirmScreen → ProcessingScreen
    register.wait_until(lambda: terminal.engine.stage == "wait_card")
    terminal.present_card("ICC", "JCB", "3333")        # the customer inserts the card
    register.wait_until(lambda: terminal.engine.stage == "wait_pin")
    register.tap("disconnectButton")                   # too late to abort: 要確認
    register.wait_dialog("ErrorDialog")
    terminal.enter_pin()                               # the terminal approves after all
    register.wait_screen("PaymentDoneScreen")
    [payment] = register.context.payments.all()
    assert (payment.state, payment.card_last4) == ("approved", "3333")
    assert [h["approved"] for h in terminal.history()] == [True]
