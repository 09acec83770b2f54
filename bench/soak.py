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
import sys
import time

import _common  # noqa: F401  (puts the repo on sys.path)
from _common import machine


def parse_args(argv=None):
    from _app_loop import child_arguments

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sales", type=int, default=5000)
    p.add_argument("--idle-seconds", type=float, default=600)
    p.add_argument("--warmup", type=int, default=None, help="sales before the fit (default: 10%% of --sales, ≥ 100)")
    p.add_argument("--sample-every", type=int, default=100)
    p.add_argument("--mix", choices=("full", "cash", "terminal"), default="full")
    p.add_argument("--tracemalloc", action="store_true")
    child_arguments(p)
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
    import _app_loop as flows
    from _app_loop import linear_fit, register_main, rss_kib, sqlite_kib
    from PySide6.QtCore import QObject
    from PySide6.QtWidgets import QApplication

    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start(4)
    warmup = args.warmup if args.warmup is not None else max(100, args.sales // 10)

    def steps(s, reg):
        window, meter, result, control, catalog = reg.window, reg.meter, reg.result, reg.control, reg.catalog
        result.update(samples=[], idle=[])

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

        meter.set_phase("login")
        yield from flows.log_in(s)
        yield from flows.open_day(s)
        yield from flows.wait_terminal_link(s)
        yield from s.tap("checkoutButton")
        yield from s.wait_screen("CheckoutScreen")
        sample(0)
        for index in range(args.sales):
            kind = plan(index, args.mix)
            meter.set_phase(f"sale:{kind}")
            yield from flows.add_products(s, catalog, (index * 7 + k * 11 for k in range(2)))
            if kind == "split":
                yield from s.tap("otherMethodButton")
                yield from s.wait_dialog("OtherTenderDialog")
                yield from s.tap("tender_gift_voucher")
                yield from s.wait_screen("CheckoutScreen")
                yield from s.digits("100")
                yield from s.tap("payButton")
                yield from s.wait(lambda: s.find("paymentDelete_0") is not None, "the gift voucher payment")
            if kind in ("terminal", "refund"):
                yield from flows.start_terminal_payment(s, control, "100" if kind == "refund" else None)
                yield from flows.link_terminal_payment(s)
                yield from s.tap("okButton")
            if kind == "refund":
                yield from s.wait_screen("CheckoutScreen")
                yield from s.tap("paymentDelete_0")
                yield from s.wait_screen("RefundConfirmScreen")
                yield from s.tap("terminalLinkButton")
                yield from s.wait_screen("RefundDoneScreen")
                yield from s.tap("okButton")
                yield from s.wait_screen("CheckoutScreen")
            if kind == "terminal":
                yield from s.wait_screen("CheckoutDoneScreen")
            else:
                yield from flows.pay_cash(s)
            if kind == "receipt":
                yield from s.tap("printReceiptButton")
                yield from s.wait_dialog("PrintPreviewDialog")
                yield from s.tap("closeButton")
                yield from s.wait_screen("CheckoutDoneScreen")
            if index % 100 == 99 and args.mix == "full":
                meter.set_phase("slip list")
                yield from flows.visit_slip_list(s, tap_first_row=True)
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

    def finished(reg) -> None:
        result, meter = reg.result, reg.meter
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

    def unpicklable(reg) -> None:  # a failed script leaves them behind; JSON cannot hold them
        reg.result.pop("_snapshot", None)
        reg.result.pop("_census", None)

    register_main(args, steps, on_finished=finished, before_exit=unpicklable)


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
    from _app_loop import run_child

    started = time.monotonic()
    extra = ["--sales", str(args.sales), "--idle-seconds", str(args.idle_seconds), "--sample-every", str(args.sample_every),
             "--mix", args.mix]
    if args.warmup is not None:
        extra += ["--warmup", str(args.warmup)]
    if args.tracemalloc:
        extra.append("--tracemalloc")
    result, returncode = run_child(__file__, extra)
    return report(args, result, returncode, time.monotonic() - started)


if __name__ == "__main__":
    sys.exit(main())
