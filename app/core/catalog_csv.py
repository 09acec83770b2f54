"""The product catalogue as CSV (SPEC §8): one format for import and export.

Columns (the first line is this header, exactly):
    商品コード,商品名,価格,税区分,カテゴリ,表示順,販売
- 商品コード: 1–20 half-width letters, digits, - or _; unique; a product's identity;
- 商品名: 1–60 characters; 価格: yen, tax included, 0–9,999,999 (commas allowed);
- 税区分: 飲食料品 (8 % taken out, 10 % eaten in) or 標準 (always 10 %);
- カテゴリ: its name (created when new); 表示順: a whole number; 販売: 1 (on sale) or 0.

Files are UTF-8 (with or without BOM) or Shift_JIS / cp932, detected; export writes UTF-8
with a BOM (spreadsheet programs then open it right). ``parse`` lists every broken row
(line number, reason); the caller imports nothing unless that list is empty.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from app.core.shop_rules import name_problem, price_problem, product_code_problem

HEADER = ("商品コード", "商品名", "価格", "税区分", "カテゴリ", "表示順", "販売")
TAX_CLASSES = {"飲食料品": "food", "標準": "standard"}
TAX_LABELS = {value: label for label, value in TAX_CLASSES.items()}


class NotCsvError(ValueError):
    """The file is not a catalogue CSV at all (binary, unknown encoding, wrong header)."""


@dataclass(frozen=True)
class ProductRow:
    line: int
    code: str
    name: str
    price_yen: int
    tax_class: str  # food | standard
    category: str
    sort_order: int
    active: bool


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.line}行目: {self.reason}"


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of a UTF-8 or cp932 file; ``NotCsvError`` for anything else."""
    if b"\x00" in data:
        raise NotCsvError("CSVファイルではありません（文字以外のデータが含まれています）。")
    for encoding, label in (("utf-8-sig", "UTF-8"), ("cp932", "Shift_JIS")):
        try:
            return data.decode(encoding), label
        except UnicodeDecodeError:
            continue
    raise NotCsvError("CSVファイルの文字コードがUTF-8でもShift_JISでもありません。")


def parse(data: bytes) -> tuple[list[ProductRow], list[RowError], str]:
    """Rows, every broken row, and the detected encoding. ``NotCsvError`` when the file is
    not a catalogue CSV (then there is no row to speak of)."""
    text, encoding = decode(data)
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise NotCsvError(f"CSVファイルとして読めません（{error}）。") from None
    if not records or tuple(cell.strip() for cell in records[0]) != HEADER:
        raise NotCsvError("CSVファイルの1行目（見出し）が違います。見出しは「" + ",".join(HEADER) + "」です。")
    rows, errors, seen = [], [], {}
    for line, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # a blank line, e.g. at the end
        row, problem = _row(line, record)
        if problem is None and row.code in seen:
            problem = f"商品コード「{row.code}」が{seen[row.code]}行目と重複しています。"
        if problem:
            errors.append(RowError(line, problem))
        else:
            seen[row.code] = line
            rows.append(row)
    return rows, errors, encoding


def _row(line: int, record: list[str]) -> tuple[ProductRow | None, str | None]:
    if len(record) != len(HEADER):
        return None, f"列の数が{len(record)}です（{len(HEADER)}列必要です）。"
    code, name, price, tax, category, order, active = (cell.strip() for cell in record)
    problem = (product_code_problem(code) or name_problem(name, "商品名", 60) or price_problem(price)
               or (None if tax in TAX_CLASSES else "税区分は「飲食料品」か「標準」です。")
               or name_problem(category, "カテゴリ", 40)
               or (None if _is_int(order) else "表示順は数字で入力してください。")
               or (None if active in ("0", "1") else "販売は 1（販売する）か 0（販売しない）です。"))
    if problem:
        return None, problem
    return ProductRow(line, code, name, int(price.replace(",", "")), TAX_CLASSES[tax], category, int(order), active == "1"), None


def _is_int(text: str) -> bool:
    return text.lstrip("-").isdigit()


def export(rows: list[tuple[str, str, int, str, str, int, bool]]) -> bytes:
    """CSV bytes (UTF-8 with BOM) of ``(code, name, price, tax_class, category, order, active)``."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for code, name, price, tax_class, category, order, active in rows:
        writer.writerow((code, name, price, TAX_LABELS[tax_class], category, order, 1 if active else 0))
    return out.getvalue().encode("utf-8-sig")
