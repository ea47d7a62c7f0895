"""Reads and inserts compiled once per process: the ORM of a hot path without its compile cost.

Django builds and compiles the SQL of a queryset on every evaluation; for a small query that
is most of its cost (a token with its user: ~450 µs to build, compile and load, of which ~40
µs is the database). A ``Prepared`` read is written as an ordinary queryset, compiled the
first time it runs, and then only executed with new parameters; the rows become model
instances (``select_related`` included) or value tuples exactly as the queryset would make
them, through the compiler's own converters and populators. Decision 0080.

Parameters are declared with their kind: ``str``, ``int``, ``datetime`` (aware), ``date``, or a
list of one of those (``[str]``, for ``__in``; compiled once per length up to ``MAX_LIST``,
longer or empty lists run through the ORM as usual). Only what can be checked is accepted: each
sample value must appear among the compiled parameters exactly once (so exact and ``__in``/``__gte``
lookups, not ``__icontains``), and the queryset may carry no extra selects (nor annotations
when it returns instances). Anything else raises at the first call, which tests make.
"""

from __future__ import annotations

import itertools
import threading
import types
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import AutoField, Model, QuerySet
from django.db.models.constants import OnConflict
from django.db.models.query import (  # type: ignore[attr-defined] # not in django-stubs
    FlatValuesListIterable,
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.models.sql.compiler import SQLInsertCompiler
from django.db.models.sql.subqueries import InsertQuery

T = TypeVar("T")
MAX_LIST = 8
# The most rows one compiled INSERT of many writes (the engine may allow fewer: SQLite's
# bound on parameters).
BULK_ROWS = 500
SCALARS = (str, int, datetime, date)

_serial = itertools.count(1)


def _sample(kind: type) -> Any:
    n = next(_serial)
    if kind is str:
        return f"\x1eprepared-{n}\x1e"
    if kind is int:
        return -(2**52) - n  # no real id or count looks like this
    if kind is datetime:
        return datetime(1901, 1, 1, tzinfo=UTC) + timedelta(seconds=n, microseconds=n % 997 + 1)
    if kind is date:
        return date(1000, 1, 1) + timedelta(days=n)  # no real date is this old
    raise TypeError(f"Prepared parameters are str, int, datetime or date, not {kind.__name__}")


def _adapt(connection: Any, value: Any) -> Any:
    """A value as the compiler would have put it among the parameters."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value


class _Compiled:
    def __init__(self, queryset: QuerySet[Any], samples: dict[str, Any]) -> None:
        compiler = queryset.query.get_compiler(using=queryset.db)
        connection = connections[queryset.db]
        sql, params = compiler.as_sql()
        self.iterable = queryset._iterable_class
        if queryset.query.extra_select or (
            self.iterable is ModelIterable and compiler.annotation_col_map
        ):
            raise ValueError("Prepared model reads take no annotations or extra selects")
        if queryset._known_related_objects:  # type: ignore[attr-defined] # not in django-stubs
            raise ValueError("Prepared reads cannot start from a related manager")
        self.db = queryset.db
        self.sql = sql
        self.params = list(params)
        self.slots: list[tuple[str, int | None, int]] = []  # (name, list index, param index)
        for name, value in samples.items():
            items: list[tuple[int | None, Any]] = (
                list(enumerate(value)) if isinstance(value, list) else [(None, value)]
            )
            for index, item in items:
                adapted = _adapt(connection, item)
                where = [
                    i
                    for i, p in enumerate(self.params)
                    if type(p) is type(adapted) and p == adapted
                ]
                if len(where) != 1:
                    raise ValueError(
                        f"Prepared parameter {name!r} must be used once, by an exact, range or "
                        f"__in lookup (found {len(where)} times unchanged in the compiled query)"
                    )
                self.slots.append((name, index, where[0]))
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        # Kept without the compiler, and with the backend's converters by name: both hold the
        # compiling thread's connection, and a reference here would keep that connection open
        # for the life of the process after its thread ended (one per compiled read).
        self.converters = [
            (
                pos,
                [
                    conv.__name__ if getattr(conv, "__self__", None) is connection.ops else conv
                    for conv in convs
                ],
                expression,
            )
            for pos, (convs, expression) in compiler.get_converters(fields).items()
        ]
        if self.iterable is ModelIterable:
            klass_info = compiler.klass_info
            self.model = klass_info["model"]
            fields_at = klass_info["select_fields"]
            self.start, self.end = fields_at[0], fields_at[-1] + 1
            self.init_list = [f[0].target.attname for f in compiler.select[self.start : self.end]]
            self.populators = get_related_populators(klass_info, compiler.select, self.db)
        elif self.iterable not in (ValuesListIterable, FlatValuesListIterable):
            raise ValueError("Prepared reads return model instances or values_list() rows")

    def run(self, values: dict[str, Any]) -> list[Any]:
        connection = connections[self.db]
        params = list(self.params)
        for name, index, slot in self.slots:
            value = values[name] if index is None else values[name][index]
            params[slot] = _adapt(connection, value)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows: Any = cursor.fetchall()
        if self.converters:
            rows = self._convert(rows, connection)
        if self.iterable is ModelIterable:
            out = []
            for row in rows:
                obj = self.model.from_db(self.db, self.init_list, row[self.start : self.end])
                for populator in self.populators:
                    populator.populate(row, obj)
                out.append(obj)
            return out
        if self.iterable is FlatValuesListIterable:
            return [row[0] for row in rows]
        return [tuple(row) for row in rows]

    def _convert(self, rows: list[Any], connection: Any) -> list[list[Any]]:
        """What ``SQLCompiler.apply_converters`` does, with this thread's connection."""
        ops = connection.ops
        converters = [
            (pos, [getattr(ops, c) if isinstance(c, str) else c for c in convs], expression)
            for pos, convs, expression in self.converters
        ]
        out = []
        for row in map(list, rows):
            for pos, convs, expression in converters:
                value = row[pos]
                for converter in convs:
                    value = converter(value, expression, connection)
                row[pos] = value
            out.append(row)
        return out


class Prepared(Generic[T]):
    """``Prepared(lambda digest: Token.objects.filter(digest=digest)[:1], digest=str)``;
    then ``read(digest=…)`` is the list the queryset would give for that digest."""

    def __init__(
        self,
        build: Callable[..., QuerySet[Any]],
        *,
        max_list: int = MAX_LIST,
        **kinds: type | list[type],
    ) -> None:
        for name, kind in kinds.items():
            element = kind[0] if isinstance(kind, list) and len(kind) == 1 else kind
            if element not in SCALARS:
                raise TypeError(
                    f"{name}: a Prepared parameter is str, int, datetime, date or [one]"
                )
        self._build = build
        self._max_list = max_list  # one compiled statement per list length up to this
        self._kinds = kinds
        self._compiled: dict[tuple[str, tuple[int, ...]], _Compiled] = {}
        self._lock = threading.Lock()

    def _check(self, values: dict[str, Any]) -> tuple[int, ...]:
        if values.keys() != self._kinds.keys():
            raise TypeError(f"Prepared read takes {sorted(self._kinds)}, got {sorted(values)}")
        lengths = []
        for name, kind in self._kinds.items():
            value = values[name]
            if isinstance(kind, list):
                if not isinstance(value, Sequence) or isinstance(value, str):
                    raise TypeError(f"{name} must be a list of {kind[0].__name__}")
                if any(type(v) is not kind[0] for v in value):
                    raise TypeError(f"{name} must hold only {kind[0].__name__}")
                lengths.append(len(value))
            elif type(value) is not kind:
                raise TypeError(f"{name} must be {kind.__name__}")
            elif isinstance(value, datetime) and value.tzinfo is None:
                raise TypeError(f"{name} must be an aware datetime")
        return tuple(lengths)

    def __call__(self, **values: Any) -> list[T]:
        lengths = self._check(values)
        if any(n == 0 or n > self._max_list for n in lengths):
            return list(
                self._build(
                    **{k: list(v) if isinstance(v, list | tuple) else v for k, v in values.items()}
                )
            )
        key = (connections["default"].vendor, lengths)
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                sizes = iter(lengths)
                samples = {
                    name: [_sample(kind[0]) for _ in range(next(sizes))]
                    if isinstance(kind, list)
                    else _sample(kind)
                    for name, kind in self._kinds.items()
                }
                compiled = _Compiled(self._build(**samples), samples)
                self._compiled[key] = compiled
        return compiled.run(values)


# ---------------------------------------------------------------- inserts


class _Insert:
    """The INSERT of ``rows`` new objects of one model, as ``bulk_create`` would write it."""

    def __init__(self, objs: Sequence[Model], ignore_conflicts: bool, db: str) -> None:
        model = type(objs[0])
        opts = model._meta
        connection = connections[db]
        self.fields = [
            f for f in opts.concrete_fields if not f.generated and not isinstance(f, AutoField)
        ]
        self.returning = (
            []
            if ignore_conflicts or not connection.features.can_return_rows_from_bulk_insert
            else list(opts.db_returning_fields)
        )
        if self.returning and [f.attname for f in self.returning] != [opts.pk.attname]:
            raise ValueError(f"{model.__name__}: only the primary key may be returned")
        query = InsertQuery(model, on_conflict=OnConflict.IGNORE if ignore_conflicts else None)
        query.insert_values(self.fields, list(objs), raw=False)
        compiler = query.get_compiler(using=db)
        compiler.returning_fields = self.returning
        # Rows as VALUES (…), (…), not PostgreSQL's UNNEST of one array per column (Django 5.2):
        # UNNEST saves planning, which a prepared statement (decision 0083) does once anyway,
        # and psycopg escapes every element of every array in Python.
        compiler.assemble_as_sql = types.MethodType(SQLInsertCompiler.assemble_as_sql, compiler)
        statements = compiler.as_sql()
        if len(statements) != 1:
            raise ValueError(f"{model.__name__}: {len(objs)} rows are not one INSERT here")
        self.sql, sample = statements[0]
        if len(sample) != len(self.fields) * len(objs):
            raise ValueError(f"{model.__name__}: an INSERT of unexpected shape")
        self.db = db

    def run(self, objs: Sequence[Model]) -> None:
        connection = connections[self.db]
        rows = []
        for obj in objs:
            row = []
            for field in self.fields:
                value = field.pre_save(obj, True)
                if hasattr(value, "resolve_expression"):
                    raise ValueError(f"{field.name}: an expression cannot be a prepared value")
                row.append(field.get_db_prep_save(value, connection))
            rows.append(row)
        params = [value for row in rows for value in row]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            returned = cursor.fetchall() if self.returning else []
        if self.returning and len(returned) != len(objs):
            raise RuntimeError(f"INSERT returned {len(returned)} ids for {len(objs)} rows")
        for index, obj in enumerate(objs):
            if returned:
                obj.pk = returned[index][0]
            obj._state.adding = False
            obj._state.db = self.db


_inserts: dict[tuple[str, type, int, bool], _Insert] = {}
_inserts_lock = threading.Lock()


def insert(objs: Sequence[Model], *, ignore_conflicts: bool = False) -> None:
    """Write new objects of one model as ``bulk_create`` would (their ids set, unless conflicts
    are ignored), with the INSERT compiled once per model, row count and engine instead of on
    every call. More than ``MAX_LIST`` rows (a status update's fan-out) go in blocks of
    ``BULK_ROWS`` (or what the engine takes in one statement) and the rest in blocks of powers
    of two, so that few sizes are ever compiled. No signals are sent (the house rules keep
    logic out of them)."""
    if not objs:
        return
    model = type(objs[0])
    if any(type(o) is not model or o.pk is not None for o in objs):
        raise ValueError("insert() takes new objects (no id) of one model")
    first, count = 0, len(objs)
    for block in _blocks(count, _bulk_rows(model, count) if count > MAX_LIST else count):
        _insert_block(objs[first : first + block], ignore_conflicts)
        first += block


def _blocks(count: int, size: int) -> list[int]:
    """``count`` rows as block sizes: ``size`` while it fits, then powers of two (a count up
    to ``MAX_LIST`` is one block)."""
    if count <= MAX_LIST:
        return [count]
    out = [size] * (count // size)
    left = count % size
    while left > MAX_LIST:
        out.append(1 << (left.bit_length() - 1))
        left -= out[-1]
    return out + ([left] if left else [])


def _bulk_rows(model: type[Model], count: int) -> int:
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoField)]
    engine = connections["default"].ops.bulk_batch_size(fields, [None] * count)
    return max(1, min(BULK_ROWS, engine))


def _insert_block(objs: Sequence[Model], ignore_conflicts: bool) -> None:
    db = "default"
    key = (connections[db].vendor, type(objs[0]), len(objs), ignore_conflicts)
    compiled = _inserts.get(key)
    if compiled is None:
        with _inserts_lock:
            compiled = _inserts[key] = _Insert(objs, ignore_conflicts, db)
    compiled.run(objs)
