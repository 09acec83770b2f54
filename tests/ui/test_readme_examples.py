"""The README's testing examples, run verbatim from the README itself: every ```python block
that defines a test is compiled into this module, so an example that stops being true fails here
(issue 14 item 17)."""
import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
EXAMPLES = [block for block in re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
            if "def test_" in block]

for _example in EXAMPLES:
    exec(compile(_example, str(README), "exec"))  # noqa: S102 - the README is ours; this is the point


def test_the_readme_has_its_examples():
    names = [name for example in EXAMPLES for name in re.findall(r"^def (test_\w+)", example, re.M)]
    assert {"test_void_by_a_cashier", "test_split_between_cash_and_gift_voucher",
            "test_disconnect_after_the_card_is_read"} <= set(names)
    assert len(names) == len(set(names)), "two README examples share a name"
