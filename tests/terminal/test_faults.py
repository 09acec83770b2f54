"""The fault suite (bench/faults.py, issues 9 and 16) as a test: a few hundred seeded runs of
payments and refunds on both profiles, with every fault kind, and zero violations of the
exactly-once invariants. The full 10,000-run figure is in bench/README.md."""
import io
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_seeded_fault_runs_keep_every_invariant(tmp_path):
    sys.path.insert(0, str(BENCH))
    try:
        import faults
    finally:
        sys.path.remove(str(BENCH))
    report = io.StringIO()  # each violation's run with the link's state: the assertion says why
    table = faults.run_suite(runs=60, seed=20261125, folder=tmp_path, out=report)
    assert sum(row["runs"] for row in table.values()) == 60
    assert set(table) == set(faults.FAULTS)  # every fault kind ran
    violations = {fault: {c: row[c] for c in faults.CHECKS if row[c]} for fault, row in table.items()}
    assert not any(violations.values()), (violations, report.getvalue())
