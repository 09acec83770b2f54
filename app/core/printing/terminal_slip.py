"""Terminal slips (控え) of card and e-money payments and refunds (R-SLIP).

The register prints the 控え of a terminal payment from the data the terminal
reported (seed 000 3-3, seed 002 3-2): `TerminalSlipData` -> `layout_terminal_slip`
-> `PrintDocument` (kind "card_slip" or "emoney_slip") -> `PrintService`.

Contracts:
- Titles: card 「クレジットカード売上票」 / refund 「クレジットカード取消票」;
  e-money 「領収書」 / refund 「取消・返品」.
- Each print gives both copies: `terminal_slip_copies` returns the お客様控
  then the 加盟店控. The copy label is printed at the foot and stored in
  `PrintDocument.copy_label`.
- A reprint (the second and later print of the same payment, or any print
  from history) carries 「(再)」 as its first line and `PrintDocument.reprint`.
  Deciding *when* a print is a reprint is the caller's job (it knows the
  print count); the layout only marks it.
- QR / code payments never produce a slip, neither on payment nor on refund:
  `terminal_slip_copies` returns [] for them, and `layout_terminal_slip`
  raises ValueError (asking for a QR slip is a bug).
- Card data is masked: only the last 4 digits are kept, printed after 12
  asterisks (「************1234」); the expiry date is never stored and is
  always printed 「XX/XX」. Nothing the terminal did not send is invented:
  optional fields left None are not printed (承認番号 / 処理番号 / 商品区分,
  which the samples print even when empty, keep their label with no value).
- Money is int yen, printed with `printed_yen` (full-width ￥). Refund amounts
  are given and printed positive, as on the samples; the title and 取引内容
  say it is a refund.
- 取引内容 is 「売上」 on a sale and the refund wording on a refund:
  「取消」 same day, 「返品」 on a later day (`refund_wording_for`).
- Dates print as on the terminal: 「2024/12/27 14:26:55」.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from app.core.printing.document import PrintDocument, PrintLine, display_width, wrap
from app.core.printing.formatting import printed_yen
from app.core.terminal.messages import ENTRY_MODE_LABELS

SlipMethod = Literal["credit", "emoney", "qr"]
SlipKind = Literal["sale", "refund"]
RefundWording = Literal["取消", "返品"]

METHODS = ("credit", "emoney", "qr")
KINDS = ("sale", "refund")
REFUND_WORDINGS = ("取消", "返品")

CUSTOMER_COPY = "お客様控"
MERCHANT_COPY = "加盟店控"
COPY_LABELS = (CUSTOMER_COPY, MERCHANT_COPY)
REPRINT_MARK = "(再)"
EXPIRY_MASK = "XX/XX"
MASK = "*" * 12
SALE_WORDING = "売上"
THANKS = "お買い上げありがとうございました"

CARD_TITLES = {"sale": "クレジットカード売上票", "refund": "クレジットカード取消票"}
EMONEY_TITLES = {"sale": "領収書", "refund": "取消・返品"}
DOCUMENT_KINDS = {"credit": "card_slip", "emoney": "emoney_slip"}

#: entry modes as printed; the link protocol's codes (§5 `EntryMode`) are accepted too
ENTRY_MODES = tuple(ENTRY_MODE_LABELS.values())


@dataclass(frozen=True, kw_only=True)
class TerminalSlipData:
    """What a 控え prints, as the terminal reported it (plus the shop's name, phone, address).

    `method` "credit" | "emoney" | "qr"; `kind` "sale" | "refund"; on a refund
    `refund_wording` 「取消」 (same day) or 「返品」 (later day).
    `order_code` is the USEN PAY 受注コード ("TSU3-0003377"); `slip_number` the
    terminal's 伝票番号 (digits, 5 on the CT-6100: "00119"), printed as given.
    `card_last4` is the last 4 digits of the card / e-money 会員番号, the only
    part ever stored. `entry_mode` is 「IC」「磁気」「タッチ」 (or the protocol's
    ICC / MagStripe / Contactless, normalised). `brand` is the card brand
    (VISA, JCB…) or the e-money brand (交通系, iD, QUICPay, nanaco, WAON,
    楽天Edy). `terminal_id` prints as 端末ID (card) / 上位端末ID (e-money).
    `register_number` (レジ#) and `inquiry_number` (問い合わせ番号) are the
    e-money sample's last lines; `balance_*_yen` the e-money balance, if the
    terminal reported it.
    """

    shop_name: str
    shop_phone: str = ""
    shop_address: str = ""
    used_at: datetime
    method: SlipMethod
    kind: SlipKind = "sale"
    refund_wording: RefundWording = "取消"
    amount_yen: int
    order_code: str | None = None
    slip_number: str | None = None
    card_last4: str | None = None
    brand: str | None = None
    entry_mode: str | None = None
    payment_division: str = "一括"  # 支払区分
    handling_division: str | None = None  # 取扱区分, e.g. "110"
    product_division: str | None = None  # 商品区分, e.g. "990"
    issuer: str | None = None  # カード会社
    approval_number: str | None = None
    processing_number: str | None = None  # 処理番号
    aid: str | None = None  # the AID alone ("A0000000031010"); the brand is added when printed
    balance_before_yen: int | None = None
    balance_after_yen: int | None = None
    terminal_id: str | None = None
    register_number: str | None = None
    inquiry_number: str | None = None
    reprint: bool = False

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if self.refund_wording not in REFUND_WORDINGS:
            raise ValueError(f"refund_wording must be one of {REFUND_WORDINGS}, got {self.refund_wording!r}")
        for name in ("amount_yen", "balance_before_yen", "balance_after_yen"):
            value = getattr(self, name)
            if value is None and name != "amount_yen":
                continue
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"{name} must be int yen, got {type(value).__name__}")
            if value < 0:
                raise ValueError(f"{name} must not be negative (refunds are printed positive), got {value}")
        if self.card_last4 is not None and not re.fullmatch(r"[0-9]{4}", self.card_last4):
            raise ValueError(f"card_last4 must be exactly 4 digits (never a full card number), got {self.card_last4!r}")
        if self.slip_number is not None and not re.fullmatch(r"[0-9]{1,10}", self.slip_number):
            raise ValueError(f"slip_number must be digits, got {self.slip_number!r}")
        if self.entry_mode is not None:
            mode = ENTRY_MODE_LABELS.get(self.entry_mode, self.entry_mode)
            if mode not in ENTRY_MODES:
                raise ValueError(f"entry_mode must be one of {ENTRY_MODES}, got {self.entry_mode!r}")
            object.__setattr__(self, "entry_mode", mode)

    @property
    def transaction_wording(self) -> str:
        """取引内容: 「売上」, or 「取消」 / 「返品」 on a refund."""
        return SALE_WORDING if self.kind == "sale" else self.refund_wording

    @property
    def masked_number(self) -> str | None:
        """「************1234」, or None if the terminal sent no number."""
        return None if self.card_last4 is None else MASK + self.card_last4

    @property
    def has_slip(self) -> bool:
        """False for QR / code payments: they never produce a 控え."""
        return self.method != "qr"


def refund_wording_for(paid_at: datetime, refunded_at: datetime) -> RefundWording:
    """「取消」 when the refund is on the day of the sale, else 「返品」 (seed 002 取消と返品の違い)."""
    return "取消" if paid_at.date() == refunded_at.date() else "返品"


def last4_of(masked_pan: str) -> str:
    """The last 4 digits of a masked number as the terminal sends it ("****1012" -> "1012")."""
    digits = re.sub(r"[^0-9]", "", masked_pan)
    if len(digits) < 4:
        raise ValueError(f"no last 4 digits in {masked_pan!r}")
    return digits[-4:]


def format_slip_datetime(when: datetime) -> str:
    """ご利用日 as the terminal prints it: 「2024/12/27 14:26:55」."""
    return f"{when.year:04d}/{when.month:02d}/{when.day:02d} {when.hour:02d}:{when.minute:02d}:{when.second:02d}"


def terminal_slip_copies(data: TerminalSlipData, width_columns: int = 48) -> list[PrintDocument]:
    """Both copies of one print, お客様控 then 加盟店控; [] for QR / code payments (no slip, ever)."""
    if not data.has_slip:
        return []
    return [layout_terminal_slip(data, label, width_columns) for label in COPY_LABELS]


def layout_terminal_slip(data: TerminalSlipData, copy_label: str, width_columns: int = 48) -> PrintDocument:
    """One copy (`copy_label` 「お客様控」 or 「加盟店控」) of the slip. ValueError for QR payments."""
    if not data.has_slip:
        raise ValueError("QR / code payments have no slip (R-SLIP)")
    if copy_label not in COPY_LABELS:
        raise ValueError(f"copy_label must be one of {COPY_LABELS}, got {copy_label!r}")
    doc = PrintDocument(DOCUMENT_KINDS[data.method], width_columns, copy_label=copy_label, reprint=data.reprint)
    if data.reprint:
        _big(doc, REPRINT_MARK, align="left")
    if data.method == "credit":
        _card_body(doc, data)
    else:
        _emoney_body(doc, data)
    doc.lines.append(PrintLine.rule())
    _big(doc, copy_label, align="center")
    return doc


# --- bodies -------------------------------------------------------------------------


def _head(doc: PrintDocument, data: TerminalSlipData, title: str, number_label: str) -> None:
    """Title, shop, ご利用日, 受注コード and the masked card / member number: both slip kinds."""
    _big(doc, title, align="center")
    doc.lines.append(PrintLine.blank())
    _shop(doc, data)
    _field(doc, "ご利用日", format_slip_datetime(data.used_at))
    if data.order_code:
        _field(doc, "受注コード", data.order_code)
    if data.masked_number:
        _field(doc, number_label, data.masked_number)


def _card_body(doc: PrintDocument, data: TerminalSlipData) -> None:
    _head(doc, data, CARD_TITLES[data.kind], "カード番号")
    brand_mode = " ".join(part for part in (data.brand, data.entry_mode) if part)
    if brand_mode:
        doc.add(brand_mode, align="right")
    doc.lines.append(PrintLine.rule())
    _triplet(doc, ("伝票番号", data.slip_number or ""), ("有効期限", EXPIRY_MASK), ("取引内容", data.transaction_wording))
    _triplet(doc, ("支払区分", data.payment_division), ("取扱区分", data.handling_division or ""),
             ("商品区分", data.product_division or ""))
    doc.lines.append(PrintLine.rule())
    if data.issuer:
        _field(doc, "カード会社", data.issuer)
    _field(doc, "承認番号", data.approval_number or "")
    _field(doc, "処理番号", data.processing_number or "")
    if data.terminal_id:
        _field(doc, "端末ID", data.terminal_id)
    doc.lines.append(PrintLine.rule())
    doc.add("金額", right=printed_yen(data.amount_yen))
    _big(doc, "合計金額", right=printed_yen(data.amount_yen))
    doc.lines.append(PrintLine.blank())
    doc.add(THANKS, align="center")
    _aid(doc, data)
    doc.lines.append(PrintLine.blank())
    doc.add("売場：", right="係員：" + " " * 8)


def _emoney_body(doc: PrintDocument, data: TerminalSlipData) -> None:
    _head(doc, data, EMONEY_TITLES[data.kind], "会員番号")
    if data.approval_number:
        _field(doc, "承認番号", data.approval_number)
    if data.terminal_id:
        _field(doc, "上位端末ID", data.terminal_id)
    doc.lines.append(PrintLine.rule())
    _field(doc, "取引内容", data.transaction_wording)
    _field(doc, "有効期限", EXPIRY_MASK)
    _field(doc, "商品区分", data.product_division or "")
    doc.lines.append(PrintLine.rule())
    paid = f"{data.brand or '電子マネー'}支払" + ("" if data.kind == "sale" else "取消・返品")
    _big(doc, paid, right=printed_yen(data.amount_yen))
    if data.balance_before_yen is not None:
        _field(doc, "利用前残高", printed_yen(data.balance_before_yen))
    if data.balance_after_yen is not None:
        _field(doc, "利用後残高", printed_yen(data.balance_after_yen))
    doc.lines.append(PrintLine.blank())
    numbers = " ".join(
        part for part in (
            f"レジ#{data.register_number}" if data.register_number else "",
            f"伝票番号#{data.slip_number}" if data.slip_number else "",
        ) if part
    )
    if numbers:
        doc.add(numbers)
    if data.inquiry_number:
        _field(doc, "問い合わせ番号", data.inquiry_number)
    _aid(doc, data)
    if data.kind == "sale":
        doc.lines.append(PrintLine.blank())
        doc.add(THANKS, align="center")


# --- pieces -------------------------------------------------------------------------


def _shop(doc: PrintDocument, data: TerminalSlipData) -> None:
    _field(doc, "加盟店名", data.shop_name)
    if data.shop_address:
        for piece in wrap(data.shop_address, doc.width):
            doc.add(piece)
    if data.shop_phone:
        _field(doc, "電話", data.shop_phone)


def _field(doc: PrintDocument, label: str, value: str) -> None:
    """`label` flush left and `value` flush right; a value too wide goes on its own lines (never clipped)."""
    if display_width(label) + 1 + display_width(value) <= doc.width:
        doc.add(label, right=value)
        return
    doc.add(label)
    for piece in wrap(value, doc.width):
        doc.add(piece, align="right")


def _triplet(doc: PrintDocument, *fields: tuple[str, str]) -> None:
    """The samples' 「伝票番号：有効期限：取引内容」 block: labels, then values under them."""
    labels = [label for label, _ in fields]
    values = [value + " " * max(0, display_width(label) - display_width(value)) for label, value in fields]
    texts = ("：".join(labels), "：".join(values).rstrip())
    if all(display_width(text) <= doc.width for text in texts):
        for text in texts:
            doc.add(text)
    else:  # too narrow (or a long value): one field per line
        for label, value in fields:
            _field(doc, label, value)


def _aid(doc: PrintDocument, data: TerminalSlipData) -> None:
    """The AID line of the samples: 「A000000000000000 JCB」; the brand goes on a line of its own
    rather than be split when both do not fit (「Mastercard」 on 58 mm)."""
    if not data.aid:
        return
    if data.brand and display_width(data.aid) + 1 + display_width(data.brand) <= doc.width:
        doc.add(f"{data.aid} {data.brand}")
        return
    doc.add(data.aid)
    if data.brand:
        doc.add(data.brand)


def _big(doc: PrintDocument, text: str, right: str | None = None, align: str = "left") -> None:
    """A bold line, double size if it fits in half the columns (else a Kanji printer would wrap it)."""
    needed = display_width(text) + (1 + display_width(right) if right is not None else 0)
    if right is None and needed > doc.width:
        for piece in wrap(text, doc.width):
            doc.add(piece, align=align, bold=True)
        return
    doc.add(text, right=right, align=align, bold=True, double=needed <= doc.width // 2)
