"""Reads compiled once (core/prepared.py, decision 0080) give exactly what the ORM gives.

They live here because they need real models (merchants, stores, users); core imports no app.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpline.accounts.models import User
from helpline.core.prepared import MAX_LIST, Prepared
from helpline.merchants import selectors
from helpline.merchants.models import Merchant, Store

pytestmark = pytest.mark.django_db


def _fields(obj: Any) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_instances_with_select_related_are_what_the_orm_makes(cast: Any) -> None:
    def build(store_id: int) -> Any:
        return Store.objects.select_related("merchant", "account_manager").filter(pk=store_id)

    read: Prepared[Any] = Prepared(build, store_id=int)
    for store in (cast.acme_shoes, cast.acme_outlet, cast.bolt_gadgets):
        (got,) = read(store_id=store.pk)
        (want,) = list(build(store.pk))
        assert _fields(got) == _fields(want)
        assert _fields(got.merchant) == _fields(want.merchant)
        assert (got.account_manager and _fields(got.account_manager)) == (
            want.account_manager and _fields(want.account_manager)
        )
        assert got._state.adding is False and got._state.db == "default"
    assert read(store_id=10**9) == []


def test_converters_run_datetimes_come_back_aware(cast: Any) -> None:
    read: Prepared[Any] = Prepared(lambda slug: Merchant.objects.filter(slug=slug)[:1], slug=str)
    (got,) = read(slug="acme")
    assert got.created_at == Merchant.objects.get(slug="acme").created_at
    assert got.created_at.tzinfo is not None


def _reachable(root: Any, depth: int) -> set[int]:
    """Ids of what ``root`` holds, ``depth`` references deep, not through classes, modules,
    functions or model fields (which lead to everything)."""
    import gc
    import types

    from django.db.models import Field

    seen: set[int] = set()
    layer = [root]
    for _ in range(depth):
        nxt = []
        for obj in gc.get_referents(*layer):
            if id(obj) in seen or isinstance(
                obj, type | types.ModuleType | types.FunctionType | Field
            ):
                continue
            seen.add(id(obj))
            nxt.append(obj)
        layer = nxt
    return seen


def test_a_compiled_read_keeps_no_reference_to_the_connection_it_was_compiled_on(
    cast: Any,
) -> None:
    """Compiled reads live as long as the process; the connection they were first compiled on
    belongs to one thread. Holding it (through the compiler, or a backend converter bound to
    its operations) would keep that thread's connection alive after the thread ended."""
    from django.db import connections

    read: Prepared[Any] = Prepared(lambda slug: Merchant.objects.filter(slug=slug)[:1], slug=str)
    (got,) = read(slug="acme")
    assert got.created_at.tzinfo is not None
    compiled = next(iter(read._compiled.values()))
    held = _reachable(compiled, 6)
    wrapper = connections["default"]  # this thread's DatabaseWrapper, behind the proxy
    assert id(wrapper) not in held
    assert id(wrapper.ops) not in held


def test_values_lists_flat_and_not(cast: Any) -> None:
    flat: Prepared[Any] = Prepared(
        lambda merchant_id: (
            Store.objects.filter(merchant_id=merchant_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        merchant_id=int,
    )
    rows: Prepared[Any] = Prepared(
        lambda merchant_id: (
            Store.objects.filter(merchant_id=merchant_id).order_by("pk").values_list("pk", "name")
        ),
        merchant_id=int,
    )
    assert flat(merchant_id=cast.acme.pk) == [cast.acme_shoes.pk, cast.acme_outlet.pk]
    assert rows(merchant_id=cast.bolt.pk) == [(cast.bolt_gadgets.pk, "Bolt Gadgets")]


def test_datetime_and_list_parameters_every_length(cast: Any) -> None:
    def build(emails: list[str], joined: datetime) -> Any:
        return (
            User.objects.filter(email__in=emails, date_joined__gte=joined)
            .order_by("email")
            .values_list("email", flat=True)
        )

    read: Prepared[Any] = Prepared(build, emails=[str], joined=datetime)
    everyone = sorted(User.objects.values_list("email", flat=True))
    long_ago = datetime(2000, 1, 1, tzinfo=UTC)
    for n in range(len(everyone) + 1):  # 0 and beyond MAX_LIST go through the ORM
        assert read(emails=everyone[:n], joined=long_ago) == everyone[:n]
    assert len(everyone) > MAX_LIST or read(emails=everyone * 3, joined=long_ago) == everyone
    future = datetime.now(UTC) + timedelta(days=1)
    assert read(emails=everyone[:2], joined=future) == []


def test_compiled_once_per_shape_then_one_query_a_call(cast: Any) -> None:
    built: list[int] = []

    def build(merchant_ids: list[int]) -> Any:
        built.append(len(merchant_ids))
        return Store.objects.filter(merchant_id__in=merchant_ids).order_by("pk")

    read: Prepared[Any] = Prepared(build, merchant_ids=[int])
    for _ in range(3):
        with CaptureQueriesContext(connection) as one:
            assert len(read(merchant_ids=[cast.acme.pk])) == 2
        assert len(one.captured_queries) == 1
        assert len(read(merchant_ids=[cast.acme.pk, cast.bolt.pk])) == 3
    assert built == [1, 2]


def test_wrong_parameters_are_refused_before_any_query(cast: Any) -> None:
    read: Prepared[Any] = Prepared(lambda store_id: Store.objects.filter(pk=store_id), store_id=int)
    with CaptureQueriesContext(connection) as seen:
        with pytest.raises(TypeError, match="store_id must be int"):
            read(store_id="1")
        with pytest.raises(TypeError, match="store_id must be int"):
            read(store_id=True)
        with pytest.raises(TypeError, match="takes"):
            read(pk=1)
    assert seen.captured_queries == []
    stamp: Prepared[Any] = Prepared(
        lambda at: Store.objects.filter(created_at__gte=at), at=datetime
    )
    with pytest.raises(TypeError, match="aware"):
        stamp(at=datetime(2026, 1, 1))
    with pytest.raises(TypeError, match="str, int, datetime"):
        Prepared(lambda x: Store.objects.all(), x=float)


def test_a_transformed_parameter_cannot_be_prepared(cast: Any) -> None:
    # icontains sends "%acme%": the sample is not among the parameters unchanged.
    read: Prepared[Any] = Prepared(lambda part: Store.objects.filter(url__icontains=part), part=str)
    with pytest.raises(ValueError, match="used once"):
        read(part="acme")
    twice: Prepared[Any] = Prepared(
        lambda v: Store.objects.filter(name=v) | Store.objects.filter(url=v), v=str
    )
    with pytest.raises(ValueError, match="used once"):
        twice(v="x")


def test_store_get_answers_as_the_scoped_list_for_every_role(cast: Any) -> None:
    from helpline.core.errors import NotFound

    inactive = User.objects.create(email="gone@acme.test", role="merchant", merchant=cast.acme)
    inactive.is_active = False
    people = [cast.alice, cast.bob, cast.ravi, cast.maya, cast.eric, cast.ada, inactive, None]
    for user in people:
        visible = set(selectors.visible_stores(user).values_list("pk", flat=True))
        for store in Store.objects.all():
            if store.pk in visible:
                assert selectors.store_get(user=user, store_id=store.pk).pk == store.pk
            else:
                with pytest.raises(NotFound):
                    selectors.store_get(user=user, store_id=store.pk)


# ---------------------------------------------------------------- inserts
# (that an insert writes what bulk_create writes: outbox/tests/test_prepared_insert.py)


def test_insert_refuses_what_it_cannot_write_faithfully(cast: Any) -> None:
    from django.db.models import F

    from helpline.core.prepared import insert

    with pytest.raises(ValueError, match="new objects"):
        insert([cast.acme_shoes])  # has an id
    with pytest.raises(ValueError, match="one model"):
        insert([Store(name="x"), Merchant(name="y")])
    odd = Store(merchant=cast.acme, name="Odd", url="https://odd.acme.test")
    odd.created_at = datetime(2026, 11, 25, tzinfo=UTC)
    insert([odd])
    assert Store.objects.get(pk=odd.pk).name == "Odd"
    expr = Store(merchant=cast.acme, name="Expr", url="https://e.acme.test")
    expr.created_at = F("created_at")
    with pytest.raises(ValueError, match="expression"):
        insert([expr])
