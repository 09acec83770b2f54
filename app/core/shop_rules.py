"""What the back office accepts (SPEC §8): 登録番号, addresses, ports, prices, passwords.

Each check returns the problem as a Japanese sentence naming the field (None when fine),
so a screen can show it and change nothing.
"""
from __future__ import annotations

import ipaddress
import re

MAX_PRICE_YEN = 9_999_999
REGISTRATION = re.compile(r"T[0-9]{13}")
HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")
PRODUCT_CODE = re.compile(r"[A-Za-z0-9_-]{1,20}")
PIN = re.compile(r"[0-9]{4,8}")


def registration_number_problem(value: str) -> str | None:
    """登録番号 (適格請求書発行事業者登録番号) is "T" and 13 digits; empty means none yet."""
    if value and not REGISTRATION.fullmatch(value):
        return "登録番号は「T」と13桁の数字で入力してください（例: T1234567890123）。"
    return None


def corporate_check_digit(twelve: str) -> int:
    """The check digit of a corporate number (法人番号) from its other 12 digits (National Tax
    Agency rule): 9 − (Σ digit × weight mod 9), weights 1, 2, 1, 2 … from the rightmost digit."""
    total = sum(int(digit) * (1 if position % 2 == 0 else 2) for position, digit in enumerate(reversed(twelve)))
    return 9 - total % 9


def registration_check_digit_ok(value: str) -> bool:
    """True when "T" + 13 digits carries a corporate number whose first digit checks out.
    A sole proprietor's number need not follow this rule: a False asks for confirmation."""
    digits = value[1:]
    return int(digits[0]) == corporate_check_digit(digits[1:])


def host_problem(host: str, field: str = "IPアドレス") -> str | None:
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        if HOSTNAME.match(host) and not host.replace(".", "").isdigit():
            return None
    return f"{field}が正しくありません（例: 192.168.1.50）。"


def port_problem(text: str, field: str = "ポート") -> str | None:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 65535:
        return f"{field}は1〜65535の数字で入力してください。"
    return None


def printer_target_problem(kind: str, target: str) -> str | None:
    """The address of a printer of ``kind`` (app.core.printing.printers.PrinterConfig.target)."""
    if kind == "network":
        host, sep, port = target.rpartition(":")
        if not sep:
            host, port = target, "9100"
        return host_problem(host, "プリンターのIPアドレス") or port_problem(port, "プリンターのポート")
    if kind == "usb" and not re.fullmatch(r"[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}", target):
        return "USBの指定は「ベンダーID:製品ID」の16進数で入力してください（例: 04b8:0e15）。"
    if kind == "serial":
        device, sep, baud = target.rpartition(":")
        if not sep:
            device, baud = target, "9600"
        if not device or not baud.isdigit():
            return "シリアルポートは「デバイス:速度」で入力してください（例: /dev/ttyUSB0:38400）。"
    if kind == "file" and not target:
        return "出力先ファイルを入力してください。"
    return None


def price_problem(text: str, field: str = "価格") -> str | None:
    text = text.strip().replace(",", "")
    if not re.fullmatch(r"-?[0-9]+", text):
        return f"{field}は数字で入力してください。"
    if int(text) < 0:
        return f"{field}にマイナスは入力できません。"
    if int(text) > MAX_PRICE_YEN:
        return f"{field}は¥9,999,999以下で入力してください。"
    return None


def product_code_problem(code: str) -> str | None:
    if not PRODUCT_CODE.fullmatch(code):
        return "商品コードは半角英数字（- _ も可）20文字以内で入力してください。"
    return None


def name_problem(name: str, field: str, max_length: int) -> str | None:
    if not name.strip():
        return f"{field}を入力してください。"
    if len(name.strip()) > max_length:
        return f"{field}は{max_length}文字以内で入力してください。"
    return None


def password_problem(password: str, again: str) -> str | None:
    """A staff password is 4–8 digits (the login keypad has digits only), keyed twice."""
    if not PIN.fullmatch(password):
        return "パスワードは4〜8桁の数字で入力してください。"
    if password != again:
        return "パスワード（確認）が一致しません。同じパスワードを2回入力してください。"
    return None
