"""The slip list's table: ``SlipListModel`` pages through keyset queries, ``SlipTable`` shows it.

The model never holds more than the pages the view asked for: ``reset(fetch)`` loads the
first page, and Qt calls ``canFetchMore`` / ``fetchMore`` when the view scrolls to the end.
``fetch(cursor)`` returns a ``SlipPage`` (``SlipJournal.page``); ``None`` asks for the first.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QScroller, QTableView, QWidget

from app.core.ledger.slip_queries import SlipCursor, SlipPage, SlipRow, SlipState
from app.core.money import format_yen
from app.ui.theme import ALERT_TEXT, MUTED_TEXT

COLUMNS = ("時刻", "伝票番号", "担当者", "合計", "支払", "状態")
ROW_HEIGHT = 56
_CELL_PADDING = 8  # QTableView#slipTable::item's padding in the QSS, for the column widths
_RIGHT = Qt.AlignRight | Qt.AlignVCenter
_LEFT = Qt.AlignLeft | Qt.AlignVCenter
_ALIGN = tuple(int(_RIGHT if column == 3 else _LEFT) for column in range(len(COLUMNS)))

Fetch = Callable[[SlipCursor | None], SlipPage]


def cells(row: SlipRow) -> tuple[str, ...]:
    """What each column shows for ``row``."""
    return (row.created_at.strftime("%H:%M"), f"{row.slip_number:06d}", row.staff_name, format_yen(row.total_yen),
            row.tender_labels, row.state_label)


class SlipListModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[SlipRow] = []
        self._cells: list[tuple[str, ...]] = []  # formatted once per row, not per paint
        self._colors: list[QColor | None] = []
        self._fetch: Fetch | None = None
        self._cursor: SlipCursor | None = None

    def reset(self, fetch: Fetch) -> None:
        """Show the first page of a new query (raises what ``fetch`` raises, changing nothing)."""
        self.show(fetch(None), fetch)

    def show(self, page: SlipPage, fetch: Fetch) -> None:
        """Show ``page``, the first page of ``fetch`` read already (off the UI thread)."""
        self.beginResetModel()
        self._fetch, self._cursor = fetch, page.next_cursor
        self.rows, self._cells, self._colors = [], [], []
        self._append(page.rows)
        self.endResetModel()

    def _append(self, rows: list[SlipRow]) -> None:
        self.rows.extend(rows)
        self._cells.extend(cells(row) for row in rows)
        self._colors.extend(_color(row) for row in rows)

    def row(self, index: int) -> SlipRow:
        return self.rows[index]

    # --- QAbstractTableModel ---------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation != Qt.Horizontal:
            return None
        if role == Qt.DisplayRole:
            return COLUMNS[section]
        if role == Qt.TextAlignmentRole:
            return _ALIGN[section]
        return None

    def data(self, index, role=Qt.DisplayRole):
        if role == Qt.DisplayRole:
            return self._cells[index.row()][index.column()]
        if role == Qt.ForegroundRole:
            return self._colors[index.row()]
        if role == Qt.TextAlignmentRole:
            return _ALIGN[index.column()]
        if role == Qt.UserRole:
            return self.rows[index.row()]
        return None

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and self._cursor is not None

    def fetchMore(self, parent=QModelIndex()) -> None:
        if parent.isValid() or self._cursor is None or self._fetch is None:
            return
        page = self._fetch(self._cursor)
        if not page.rows:
            self._cursor = None
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
        self._append(page.rows)
        self._cursor = page.next_cursor
        self.endInsertRows()


def _color(row: SlipRow) -> QColor | None:
    """Red means one thing: something to do (a refunded slip still to void). A voided slip and
    its reversing slip are history, shown muted."""
    if row.needs_void:
        return ALERT_TEXT
    if row.state in (SlipState.VOIDED, SlipState.CORRECTED, SlipState.VOID):
        return MUTED_TEXT
    return None


class SlipTable(QTableView):
    """Touch table: tall rows, tap selects a whole row, flick scrolls (touch), no keyboard."""

    def __init__(self, model: SlipListModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("slipTable")
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setFocusPolicy(Qt.NoFocus)
        self.setVerticalScrollMode(QAbstractItemView.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setCornerButtonEnabled(False)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsClickable(False)
        header.setMinimumHeight(40)
        header.setDefaultAlignment(_LEFT)
        # Fixed columns sized from the font for their widest value (no per-row size hints); 支払 and
        # 状態 share the rest, so 「クレジット(VISA)」 and 「取消伝票（000123）」 are never cut.
        self.ensurePolished()  # the style sheet's font, for the metrics below
        header.ensurePolished()
        cell, caption = self.fontMetrics(), header.fontMetrics()
        for column, widest in enumerate(("00:00", "000000", "山田 店長", "-¥9,999,999")):
            header.setSectionResizeMode(column, QHeaderView.Fixed)
            self.setColumnWidth(column, max(cell.horizontalAdvance(widest) + 2 * _CELL_PADDING,
                                            caption.horizontalAdvance(COLUMNS[column]) + 20) + 6)
        header.setSectionResizeMode(4, QHeaderView.Stretch)
        header.setSectionResizeMode(5, QHeaderView.Stretch)
        QScroller.grabGesture(self.viewport(), QScroller.TouchGesture)

    def selected_row(self) -> int:
        rows = self.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def page(self, direction: int) -> None:
        """Scroll one screenful up (-1) or down (+1); at the end, Qt fetches the next page."""
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() + direction * max(ROW_HEIGHT, self.viewport().height() - ROW_HEIGHT))
