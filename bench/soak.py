"""Soak: the real register in its own event loop takes N sales through the real screens, then idles.

    .venv/bin/python bench/soak.py [--sales 5000] [--idle-seconds 600] [--mix full|cash|terminal]

The register runs in a child process (so a crash is seen, not suffered) with the terminal
simulator as a third process. The child builds the app as ``python -m app`` does (demo
shop, on-screen print preview, real SQLite file in a temp dir), shows it at 1280×800
(offscreen), and runs ``app.exec()``; a QTimer-driven script posts real clicks on widgets by
objectName. In every 10 sales: 6 cash, 1 split (商品券 + 現金), 2 terminal (USEN PAY credit
against the simulator), 1 with a receipt printed (print preview opened and closed). Every
50th sale pays part by terminal, refunds it with × (R-REFUND-INLINE), and pays cash; every
100th goes to the top screen and opens 伝票明細 (a row tapped) before the next sale.

Reports: crash (exit status of the child), RSS per sale after warm-up (least-squares slope,
KiB/sale), Python objects, widgets and QObjects at the samples, refcounts of None / True /
False and RSS while idling on the checkout screen, and the longest UI-thread gaps (1 ms
timer) per phase. ``--mix cash`` / ``terminal`` drive only part of the flow (for bisecting).
``--tracemalloc`` prints the top Python allocation growth between warm-up and the end.
Exit status 0 whatever the figures, 1 on a crash or a stuck script.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common  # noqa: F401  (puts the repo on sys.path)
from _common import ROOT, machine


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sales", type=int, default=5000)
    p.add_argument("--idle-seconds", type=float, default=600)
    p.add_argument("--warmup", type=int, default=None, help="sales before the fit (default: 10%% of --sales, ≥ 100)")
    p.add_argument("--sample-every", type=int, default=100)
    p.add_argument("--mix", choices=("full", "cash", "terminal"), default="full")
    p.add_argument("--tracemalloc", action="store_true")
    p.add_argument("--child", metavar="JSON", help=argparse.SUPPRESS)
    p.add_argument("--data-dir", help=argparse.SUPPRESS)
    p.add_argument("--sim-port", type=int, help=argparse.SUPPRESS)
    p.add_argument("--sim-control-port", type=int, help=argparse.SUPPRESS)
    return p.parse_args(argv)


# --- the child: the register ----------------------------------------------------------------
def plan(index: int, mix: str) -> str:
    if mix == "cash":
        return "cash"
    if mix == "terminal":
        return "terminal"
    if index % 50 == 49:
        return "refund"
    return ("cash", "split", "cash", "terminal", "cash", "receipt", "cash", "terminal", "cash", "cash")[index % 10]


def child(args) -> None:
    from _app_loop import GapMeter, Script, linear_fit, quiet_offscreen_warnings, rss_kib, sqlite_kib
    from PySide6.QtCore import QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from app.simulator.control import ControlClient
    from app.ui.app import build_register

    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start(4)
    app = QApplication(sys.argv[:1])
    quiet_offscreen_warnings()
    data_dir = Path(args.data_dir)
    window = build_register(f"sqlite:///{data_dir / 'regi.db'}", data_dir=data_dir, settings={
        "terminal_profile": "usenpay", "terminal_host": "127.0.0.1", "terminal_port": args.sim_port})
    window.resize(1280, 800)
    window.show()
    window.activateWindow()  # as on a display: the print preview is parented to the active window
    control = ControlClient(port=args.sim_control_port)
    meter = GapMeter()
    result = {"samples": [], "idle": [], "error": None}
    catalog = [(c, p) for c in window.context.ledger.catalog() for p in c.products]
    warmup = args.warmup if args.warmup is not None else max(100, args.sales // 10)

    def qobject_count() -> int:
        return len(window.findChildren(QObject)) + len(QApplication.topLevelWidgets())

    def census() -> dict:
        from collections import Counter

        return Counter(f"{type(w).__name__}:{w.objectName()}:{w.window().objectName()}" for w in QApplication.allWidgets())

    def sample(sales: int) -> None:
        phase = meter.phase
        meter.set_phase("sampling")  # gc.collect and counting are the benchmark's own gaps
        gc.collect()
        result["samples"].append({"sales": sales, "rss_kib": rss_kib(), "sqlite_kib": sqlite_kib(),
                                  "py_objects": len(gc.get_objects()),
                                  "widgets": len(QApplication.allWidgets()), "qobjects": qobject_count()})
        if sales == warmup:
            result["_census"] = census()
        elif sales == args.sales and "_census" in result:
            grown = census()
            grown.subtract(result.pop("_census"))
            result["widgets_grown"] = {k: v for k, v in grown.most_common(12) if v > 0}
        meter.set_phase(phase)

    def steps(s: Script):
        meter.set_phase("login")
        yield from s.tap_where(lambda b: b.property("staffName") == "佐藤", "staff tile 佐藤")
        yield from s.digits("1111")
        yield from s.tap("loginButton")
        yield from s.wait_screen("OpenScreen")
        yield from s.tap("modeTotalButton")
        yield from s.digits("30000")
        yield from s.tap("confirmButton")
        yield from s.wait(lambda: s.screen() == "TopScreen" and s.find("terminalStatus") is not None
                          and s.find("terminalStatus").property("linkState") == "connected", "the terminal link")
        yield from s.tap("checkoutButton")
        yield from s.wait_screen("CheckoutScreen")
        sample(0)
        for index in range(args.sales):
            kind = plan(index, args.mix)
            meter.set_phase(f"sale:{kind}")
            for k in range(2):
                category, product = catalog[(index * 7 + k * 11) % len(catalog)]
                yield from s.tap(f"category_{category.id}")
                yield from s.tap(f"product_{product.id}")
            if kind == "split":
                yield from s.tap("otherMethodButton")
                yield from s.wait_dialog("OtherTenderDialog")
                yield from s.tap("tender_gift_voucher")
                yield from s.wait_screen("CheckoutScreen")
                yield from s.digits("100")
                yield from s.tap("payButton")
                yield from s.wait(lambda: s.find("paymentDelete_0") is not None, "the gift voucher payment")
            if kind in ("terminal", "refund"):
                control.call("approve", brand="VISA", last4="1012", entry_mode="ICC")
                yield from s.tap("terminalMethodButton")
                yield from s.wait_screen("TerminalPickerScreen")
                yield from s.tap("usenpayCreditButton")
                yield from s.wait_screen("CheckoutScreen")
                if kind == "refund":
                    yield from s.digits("100")
                else:
                    yield from s.tap("remainingButton")
                yield from s.tap("payButton")
                yield from s.wait_screen("PaymentConfirmScreen")
                yield from s.tap("terminalLinkButton")
                yield from s.wait_screen("PaymentDoneScreen")
                yield from s.tap("okButton")
            if kind == "refund":
                yield from s.wait_screen("CheckoutScreen")
                yield from s.tap("paymentDelete_0")
                yield from s.wait_screen("RefundConfirmScreen")
                yield from s.tap("terminalLinkButton")
                yield from s.wait_screen("RefundDoneScreen")
                yield from s.tap("okButton")
                yield from s.wait_screen("CheckoutScreen")
            if kind != "terminal":
                yield from s.tap("cashMethodButton")
                yield from s.tap("remainingButton")
                yield from s.tap("payButton")
            yield from s.wait_screen("CheckoutDoneScreen")
            if kind == "receipt":
                yield from s.tap("printReceiptButton")
                yield from s.wait_dialog("PrintPreviewDialog")
                yield from s.tap("closeButton")
                yield from s.wait_screen("CheckoutDoneScreen")
            if index % 100 == 99 and args.mix == "full":
                meter.set_phase("slip list")
                yield from s.tap("topButton")
                yield from s.wait_screen("TopScreen")
                yield from s.tap("slipListButton")
                yield from s.wait_screen("SlipListScreen")
                yield from s.wait(lambda: s.find("slipTable") is not None and s.find("slipTable").model().rowCount() > 0,
                                  "the slip rows")
                table = s.find("slipTable")
                s.click(table.viewport(), table.visualRect(table.model().index(0, 0)).center())
                yield
                yield from s.tap("backButton")
                yield from s.wait_screen("TopScreen")
                yield from s.tap("checkoutButton")
            else:
                yield from s.tap("nextCheckoutButton")
            yield from s.wait_screen("CheckoutScreen")
            sales = index + 1
            if sales % args.sample_every == 0 or sales == args.sales:
                sample(sales)
                if sales == warmup and args.tracemalloc:
                    result["_snapshot"] = tracemalloc.take_snapshot()
                print(f"{sales} sales, RSS {result['samples'][-1]['rss_kib'] / 1024:.1f} MiB", file=sys.stderr, flush=True)
        # idle on the checkout screen: the header clocks tick, the terminal heartbeats
        meter.set_phase("idle")
        idle_start = time.monotonic()
        while time.monotonic() - idle_start < args.idle_seconds:
            meter.set_phase("sampling")  # the benchmark's own gc.collect and counting
            gc.collect()
            result["idle"].append({"t": round(time.monotonic() - idle_start, 1), "rss_kib": rss_kib(),
                                   "none": sys.getrefcount(None), "true": sys.getrefcount(True),
                                   "false": sys.getrefcount(False), "py_objects": len(gc.get_objects()),
                                   "widgets": len(QApplication.allWidgets())})
            meter.set_phase("idle")
            until = time.monotonic() + min(10.0, args.idle_seconds)
            yield from s.wait(lambda: time.monotonic() >= until, "idle", timeout=60)

    def finished() -> None:
        fit = [x for x in result["samples"] if x["sales"] >= warmup]
        if len(fit) >= 2:
            result["kib_per_sale"] = linear_fit([x["sales"] for x in fit], [x["rss_kib"] for x in fit])
            if all(x["sqlite_kib"] >= 0 for x in fit):
                result["kib_per_sale_sqlite"] = linear_fit([x["sales"] for x in fit], [x["sqlite_kib"] for x in fit])
        result["gaps"] = {phase: meter.top(phase) for phase in meter.gaps}
        result["warmup"] = warmup
        if args.tracemalloc and "_snapshot" in result:
            end = tracemalloc.take_snapshot()
            top = end.compare_to(result.pop("_snapshot"), "traceback")[:10]
            result["tracemalloc"] = [{"kib": round(st.size_diff / 1024, 1), "count": st.count_diff,
                                      "where": [str(fr) for fr in st.traceback.format()[-12:]]} for st in top]
        result.pop("_snapshot", None)
        result.pop("_census", None)
        QTimer.singleShot(0, app.quit)

    def failed(error) -> None:
        import traceback

        result["error"] = "".join(traceback.format_exception(error))
        result.pop("_snapshot", None)
        result.pop("_census", None)
        QTimer.singleShot(0, app.quit)

    script = Script(window, None, on_finished=finished, on_error=failed)
    script._steps = steps(script)
    meter.start()
    script.start()
    app.exec()
    window.context.terminal.stop()
    Path(args.child).write_text(json.dumps(result), encoding="utf-8")
    os._exit(0)  # the figures are written; skip tearing down Qt


# --- the parent: start, watch, report ----------------------------------------------------------
def report(args, result: dict, returncode: int, seconds: float) -> int:
    print(f"soak: {args.sales} sales ({args.mix}), idle {args.idle_seconds:g} s — {machine()}")
    print(f"wall time {seconds / 60:.1f} min")
    if returncode != 0:
        print(f"CRASH: the register exited with status {returncode}")
        return 1
    if result.get("error"):
        print("STUCK / ERROR in the script:\n" + result["error"])
        return 1
    print("crash: none")
    s = result["samples"]
    if s:
        first, last = s[0], s[-1]
        print(f"RSS: {first['rss_kib'] / 1024:.1f} MiB after login → {last['rss_kib'] / 1024:.1f} MiB after {last['sales']} sales")
        if "kib_per_sale" in result:
            print(f"RSS growth after warm-up ({result['warmup']} sales): {result['kib_per_sale']:.2f} KiB/sale (linear fit)")
        w = next((x for x in s if x["sales"] >= result["warmup"]), first)
        if "kib_per_sale_sqlite" in result:
            print(f"of which SQLite's own allocations (page caches): {result['kib_per_sale_sqlite']:.2f} KiB/sale; "
                  f"{first['sqlite_kib'] / 1024:.1f} → {last['sqlite_kib'] / 1024:.1f} MiB")
        for key in ("py_objects", "widgets", "qobjects"):
            print(f"{key}: {first[key]} at 0, {w[key]} at {w['sales']}, {last[key]} at {last['sales']}")
    for name, count in result.get("widgets_grown", {}).items():
        print(f"  widgets grown after warm-up: +{count} {name}")
    idle = result["idle"]
    if idle:
        a, b = idle[0], idle[-1]
        print(f"idle {b['t']:.0f} s: RSS {a['rss_kib'] / 1024:.1f} → {b['rss_kib'] / 1024:.1f} MiB, "
              f"refcount None {a['none']} → {b['none']}, True {a['true']} → {b['true']}, False {a['false']} → {b['false']}, "
              f"python objects {a['py_objects']} → {b['py_objects']}, widgets {a['widgets']} → {b['widgets']}")
    print("longest UI gaps per phase, ms: wall (UI-thread CPU within it)")
    for phase, gaps in sorted(result["gaps"].items()):
        print(f"  {phase:<16} " + ", ".join(f"{wall:.1f} ({cpu:.1f})" for wall, cpu in gaps))
    for entry in result.get("tracemalloc", []):
        print(f"tracemalloc +{entry['kib']} KiB, +{entry['count']} blocks:\n    " + "\n    ".join(entry["where"]))
    return 0


def main() -> int:
    args = parse_args()
    if args.child:
        child(args)
        return 0
    from _app_loop import start_simulator

    sim = start_simulator()
    out = Path(tempfile.mkstemp(prefix="regi-soak-", suffix=".json")[1])
    data_dir = tempfile.mkdtemp(prefix="regi-soak-")
    started = time.monotonic()
    try:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(out), "--data-dir", data_dir,
               "--sim-port", str(sim.port),
               "--sim-control-port", str(sim.control_port), "--sales", str(args.sales), "--idle-seconds",
               str(args.idle_seconds), "--sample-every", str(args.sample_every), "--mix", args.mix]
        if args.warmup is not None:
            cmd += ["--warmup", str(args.warmup)]
        if args.tracemalloc:
            cmd.append("--tracemalloc")
        env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
        returncode = subprocess.call(cmd, cwd=ROOT, env=env)
    finally:
        sim.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    result = json.loads(out.read_text(encoding="utf-8")) if out.stat().st_size else {}
    out.unlink()
    return report(args, result, returncode, time.monotonic() - started)


if __name__ == "__main__":
    sys.exit(main())
