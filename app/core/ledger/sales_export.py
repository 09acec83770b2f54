"""The day's sales as CSV (R-CLOSE): one row per slip line, UTF-8 with BOM (Excel reads
Japanese correctly only with the BOM). A void slip's lines are there too, negated, so the
column sums are the day's net figures. Reads only; the file is written whole under a
temporary name, then renamed, so a half-written export never looks finished."""
from __future__ import annotations

import csv
import os
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.core.ledger.models import RegisterSession, Slip

HEADER = ("伝票番号", "日時", "区分", "担当者", "店内/持ち帰り", "行", "商品名", "単価", "数量", "値引", "税率",
          "金額", "伝票合計", "支払")


def sales_rows(db: Session, session_id: int) -> list[tuple]:
    slips = db.scalars(select(Slip).where(Slip.session_id == session_id).order_by(Slip.slip_number)
                       .options(selectinload(Slip.lines), selectinload(Slip.tenders), selectinload(Slip.staff)))
    rows = []
    for slip in slips:
        tenders = " / ".join(f"{t.label} {t.amount_yen}" for t in slip.tenders)
        for line in slip.lines:
            rows.append((f"{slip.slip_number:06d}", f"{slip.created_at:%Y-%m-%d %H:%M:%S}",
                         "売上" if slip.kind == "sale" else "取消", slip.staff.name, "店内" if slip.eat_in else "持ち帰り",
                         line.line_no, line.name, line.unit_price_yen, line.quantity, line.discount_yen,
                         f"{line.tax_rate_percent}%", line.amount_yen, slip.total_yen, tenders))
    return rows


def export_sales(db: Session, session_id: int, folder: Path, register_code: str) -> Path:
    """Write ``sales_<date>_<register>_<session>.csv`` into ``folder`` (created if needed)."""
    session = db.get(RegisterSession, session_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"sales_{session.opened_at:%Y%m%d}_{register_code}_{session_id}.csv"
    partial = path.with_suffix(".csv.part")
    with open(partial, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(sales_rows(db, session_id))
    os.replace(partial, path)
    return path


def export_folder(export_dir: str, data_dir: Path | None) -> Path:
    """The settings' ``export_dir``, else the data dir's ``exports/``."""
    if export_dir.strip():
        return Path(export_dir.strip()).expanduser()
    if data_dir is None:
        from platformdirs import user_data_dir

        data_dir = Path(user_data_dir("regi", appauthor=False))
    return data_dir / "exports"
