"""Terminal profiles as capabilities (issue 15, SPEC §4): the one place that knows how a
USEN PAY terminal differs from a CT-6100. Screens, the bridge and the simulator ask a
`TerminalProfile` what it can do; nothing else compares profile names.

Adding a profile: a new `TerminalProfile` in `PROFILES` (and, for the simulator, its id
scheme in `app/simulator/payments.py`, `_next_ids`). Screens need no change (tests/core/test_terminal_profiles.py
shows it with a made-up third profile).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from collections.abc import Set as AbstractSet
from types import MappingProxyType
from typing import Mapping


class PaymentMethod(StrEnum):
    """Payment methods on the link; `.label` is how the register writes them."""

    CREDIT = "credit"
    QR = "qr"
    EMONEY = "emoney"

    @property
    def label(self) -> str:
        return _METHOD_LABELS[self]


_METHOD_LABELS = {PaymentMethod.CREDIT: "クレジット", PaymentMethod.QR: "QRコード", PaymentMethod.EMONEY: "電子マネー"}


def method_label(method: str | None, default: str = "決済端末") -> str:
    """The register's label of a stored method string; `default` when unknown or None."""
    try:
        return PaymentMethod(method).label
    except ValueError:
        return default


@dataclass(frozen=True)
class TerminalProfile:
    """What one kind of terminal does, as the register and the simulator need to know it."""

    code: str                          # on the link (Login's POISystemData.Profile) and in settings
    name: str                          # shown: settings, 決済履歴, the simulator
    register_picks_method: bool        # True: the register sends the method; False: the clerk picks it on the terminal
    register_prints_slips: bool        # True: the register prints the 控え (and reprints them); False: the terminal does
    order_codes: bool                  # True: POITransactionID is a 受注コード (TSU3-0003377); False: 伝票番号 / 注文番号
    disconnect_needs_home_screen: bool  # 切断する first asks to return the terminal to its home screen
    terminal_method_labels: Mapping[PaymentMethod, str] = field(
        default_factory=lambda: MappingProxyType(dict(_METHOD_LABELS)))  # as the terminal's own screen writes them
    device_name: str = ""              # the simulator's window
    cancel_key: str = "キャンセル"       # the terminal's key that stops a transaction
    default_poi_id: str = ""
    linked: bool = True                # False: no terminal at all

    def reference_caption(self, method: str | None = None) -> str:
        """What the terminal's transaction reference is called: 受注コード / 伝票番号 / 注文番号."""
        if self.order_codes:
            return "受注コード"
        return "注文番号" if method == PaymentMethod.QR else "伝票番号"

    @property
    def reprint_note(self) -> str | None:
        """Why 控え cannot be reprinted from the register, or None when they can."""
        if self.register_prints_slips:
            return None
        return f"{self.name}の控えは決済端末が印刷します。伝票明細より控えを再印字することはできません。"

    @property
    def home_screen_prompt(self) -> str:
        return (f"{self.name}をホーム画面に戻してから「OK」をタップしてください。\n"
                f"ホーム画面に戻す前に「OK」をタップすると、{self.name}がフリーズすることがあります。")

    def request_label(self, method: str | None) -> str:
        """A request as the confirm screens show it: 「USEN PAY クレジット」, or 決済端末 when the terminal picks."""
        return f"{self.name} {PaymentMethod(method).label}" if method else "決済端末"

    @property
    def button_label(self) -> str:
        """The checkout / history button that sends to this terminal."""
        return self.name if self.register_picks_method else "決済端末"


USEN_PAY = TerminalProfile(
    code="usenpay", name="USEN PAY", register_picks_method=True, register_prints_slips=True, order_codes=True,
    disconnect_needs_home_screen=False, device_name="USEN PAY (A920 MAX)", default_poi_id="A920-0001")
CT6100 = TerminalProfile(
    code="ct6100", name="CT-6100", register_picks_method=False, register_prints_slips=False, order_codes=False,
    disconnect_needs_home_screen=True, device_name="CT-6100", cancel_key="リセット", default_poi_id="CT6100-0001",
    terminal_method_labels=MappingProxyType({PaymentMethod.CREDIT: "クレジットカード・銀聯",
                                            PaymentMethod.EMONEY: "電子マネー", PaymentMethod.QR: "コード支払い"}))
NO_TERMINAL = TerminalProfile(
    code="none", name="なし", register_picks_method=False, register_prints_slips=False, order_codes=False,
    disconnect_needs_home_screen=False, linked=False)

PROFILES: dict[str, TerminalProfile] = {p.code: p for p in (USEN_PAY, CT6100, NO_TERMINAL)}
"""Every profile by code, in the order the settings screen offers them."""


def terminal_profile(code: str | None) -> TerminalProfile:
    """The profile of a stored code; `NO_TERMINAL` for None. Raises ValueError for an unknown code."""
    if code is None:
        return NO_TERMINAL
    try:
        return PROFILES[code]
    except KeyError:
        raise ValueError(f"unknown terminal profile {code!r}; known: {tuple(PROFILES)}") from None


def linked_profiles() -> tuple[str, ...]:
    """Codes of the profiles that speak the link (all but "none")."""
    return tuple(code for code, p in PROFILES.items() if p.linked)


class LinkedProfileCodes(AbstractSet):
    """`linked_profiles()` as a live set, for schemas built at import time."""

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in PROFILES and PROFILES[code].linked

    def __iter__(self):
        return iter(linked_profiles())

    def __len__(self) -> int:
        return len(linked_profiles())
