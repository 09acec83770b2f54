"""Printing (SPEC §7, R-RECEIPT): layout -> PrintDocument -> image or Kanji bytes -> ESC/POS printer.

Modules: `document` (lines, column measuring), `formatting` (￥, dates), `receipt`
(レシート / 領収書 layouts), `render` (1-bit image), `kanji` (Kanji-mode bytes),
`printers` (config, python-escpos printers, CapturingPrinter), `service`
(PrintService), `errors` (PrinterError). No Qt here.
"""
