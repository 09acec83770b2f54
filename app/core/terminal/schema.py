"""Tiny declarative validators for link messages.

A spec checks a decoded JSON value and returns it (unchanged), or raises
`SchemaError` whose message names the path of the offending field, e.g.
``PaymentRequest.PaymentTransaction.AmountsReq.RequestedAmount: expected int``.

Traps: `bool` is a subclass of `int` in Python, and JSON numbers with a
fraction parse as float; `Int` rejects both, so money is never a float or a
boolean. `Obj` rejects unknown keys: both ends must agree on every field.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping


class SchemaError(ValueError):
    """A value that does not match its spec; `path` locates it."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}" if path else reason)
        self.path = path
        self.reason = reason


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


class Spec:
    def check(self, value: Any, path: str = "") -> Any:  # pragma: no cover - interface
        raise NotImplementedError


class Str(Spec):
    def __init__(self, max_len: int = 64, *, min_len: int = 1, pattern: str | None = None,
                 choices: Iterable[str] | None = None) -> None:
        self.max_len = max_len
        self.min_len = min_len
        self.pattern = re.compile(pattern) if pattern else None
        # A Set is kept as given: it may be live (e.g. the terminal profiles, profiles.py).
        self.choices = choices if isinstance(choices, AbstractSet) or choices is None else tuple(choices)

    def check(self, value: Any, path: str = "") -> Any:
        if not isinstance(value, str):
            raise SchemaError(path, f"expected string, got {_kind(value)}")
        if self.choices is not None:
            if value not in self.choices:
                raise SchemaError(path, f"{value[:40]!r} is not one of {list(self.choices)}")
            return value
        if not self.min_len <= len(value) <= self.max_len:
            raise SchemaError(path, f"length {len(value)} not in {self.min_len}..{self.max_len}")
        if self.pattern and not self.pattern.fullmatch(value):
            raise SchemaError(path, f"{value[:40]!r} does not match {self.pattern.pattern}")
        return value


class Int(Spec):
    def __init__(self, minimum: int, maximum: int) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def check(self, value: Any, path: str = "") -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise SchemaError(path, f"expected int, got {_kind(value)}")
        if not self.minimum <= value <= self.maximum:
            raise SchemaError(path, f"{value} not in {self.minimum}..{self.maximum}")
        return value


class Bool(Spec):
    def check(self, value: Any, path: str = "") -> Any:
        if not isinstance(value, bool):
            raise SchemaError(path, f"expected boolean, got {_kind(value)}")
        return value


class Timestamp(Spec):
    """ISO 8601 date-time *with* UTC offset, e.g. 2025-08-19T14:26:55+09:00."""

    def check(self, value: Any, path: str = "") -> Any:
        if not isinstance(value, str) or not 10 <= len(value) <= 40:
            raise SchemaError(path, f"expected ISO 8601 timestamp string, got {_kind(value)}")
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise SchemaError(path, f"{value!r} is not an ISO 8601 timestamp") from None
        if parsed.tzinfo is None:
            raise SchemaError(path, f"{value!r} has no UTC offset")
        return value


class Scalar(Spec):
    """A short string or an int (slip values)."""

    def __init__(self, max_len: int = 200) -> None:
        self.max_len = max_len

    def check(self, value: Any, path: str = "") -> Any:
        if isinstance(value, str):
            if len(value) > self.max_len:
                raise SchemaError(path, f"string longer than {self.max_len}")
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            if abs(value) > 10**12:
                raise SchemaError(path, "int out of range")
            return value
        raise SchemaError(path, f"expected string or int, got {_kind(value)}")


class Opt:
    """Marks an `Obj` field as optional: it may be absent (never null)."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec


class Obj(Spec):
    def __init__(self, fields: Mapping[str, Spec | Opt],
                 rule: Callable[[dict[str, Any], str], None] | None = None) -> None:
        self.fields = dict(fields)
        self.rule = rule

    def check(self, value: Any, path: str = "") -> Any:
        if not isinstance(value, dict):
            raise SchemaError(path, f"expected object, got {_kind(value)}")
        for key in value:
            if key not in self.fields:
                raise SchemaError(_join(path, key), "unknown field")
        for key, spec in self.fields.items():
            if isinstance(spec, Opt):
                if key in value:
                    spec.spec.check(value[key], _join(path, key))
            elif key not in value:
                raise SchemaError(_join(path, key), "missing")
            else:
                spec.check(value[key], _join(path, key))
        if self.rule is not None:
            self.rule(value, path)
        return value


class List(Spec):
    def __init__(self, item: Spec, max_items: int = 64) -> None:
        self.item = item
        self.max_items = max_items

    def check(self, value: Any, path: str = "") -> Any:
        if not isinstance(value, list):
            raise SchemaError(path, f"expected array, got {_kind(value)}")
        if len(value) > self.max_items:
            raise SchemaError(path, f"more than {self.max_items} items")
        for i, item in enumerate(value):
            self.item.check(item, _join(path, i))
        return value


class Dict(Spec):
    """A free-form object: keys match `key_pattern`, values match `value`."""

    def __init__(self, value: Spec, key_pattern: str = r"[A-Za-z][A-Za-z0-9]{0,31}", max_items: int = 64) -> None:
        self.value = value
        self.key = re.compile(key_pattern)
        self.max_items = max_items

    def check(self, value: Any, path: str = "") -> Any:
        if not isinstance(value, dict):
            raise SchemaError(path, f"expected object, got {_kind(value)}")
        if len(value) > self.max_items:
            raise SchemaError(path, f"more than {self.max_items} entries")
        for key, item in value.items():
            if not self.key.fullmatch(key):
                raise SchemaError(_join(path, key), f"key does not match {self.key.pattern}")
            self.value.check(item, _join(path, key))
        return value
