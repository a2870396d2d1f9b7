"""The short way for plain fields answers exactly as graphql-core's general path does:
the same data, the same errors at the same paths, for any values the fields hold."""

from __future__ import annotations

import asyncio
import enum
from datetime import date
from typing import Any

import strawberry
from hypothesis import given
from hypothesis import strategies as st
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from ledger_api.executor import PlainFieldExecutor


@strawberry.enum
class Kind(enum.Enum):
    WITHIN = "within"
    ACROSS = "across"


@strawberry.type
class Office:
    code: str
    label: str | None

    @strawberry.field
    async def later(self) -> str:  # an awaitable inside a plain object field
        return self.code.lower()


@strawberry.type
class Row:
    name: str
    nickname: str | None
    born: date
    kind: Kind
    count: int
    office: Office
    backup: Office | None

    @strawberry.field
    def shouted(self) -> str:
        return self.name.upper()


@strawberry.type
class Sheet:
    """A page whose rows are a plain field: a selection of plain fields below it is completed in one loop."""

    rows: list[Row]
    title: str | None


@strawberry.type
class Query:
    rows: strawberry.Private[list[Any]]

    @strawberry.field
    async def page(self) -> list[Row]:
        return self.rows

    @strawberry.field
    async def sheet(self) -> Sheet:
        return Loose(rows=self.rows, title="名册")  # type: ignore[return-value]


QUERY = ("{ page { name nickname born kind count shouted alias: name __typename "
         "office { code label later } backup { code label } } }")


def answer(executor: type, rows: Any, *extensions: Any, query: str = QUERY) -> tuple[Any, list[tuple[str, list]]]:
    schema = strawberry.Schema(query=Query, execution_context_class=executor, extensions=list(extensions))
    result = asyncio.run(schema.execute(query, root_value=Query(rows=rows)))
    return result.data, sorted((e.message, e.path or []) for e in result.errors or [])


class Loose:
    """A row as a careless resolver might return it: any value in any field."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


loose_value = st.one_of(st.none(), st.text(max_size=3), st.integers(-3, 3), st.dates(), st.sampled_from(Kind),
                        st.just("within"), st.floats(allow_nan=False, max_value=1e3, min_value=-1e3))
loose_office = st.one_of(st.none(), st.integers(0, 2), st.builds(
    lambda **v: Loose(**v), code=st.one_of(st.none(), st.text(max_size=2)), label=loose_value))
loose_row = st.builds(lambda **v: Loose(**v), name=st.one_of(st.none(), st.text(max_size=3)), nickname=loose_value,
                      born=loose_value, kind=loose_value, count=loose_value, office=loose_office, backup=loose_office)


@given(st.lists(loose_row, max_size=4))
def test_the_short_way_answers_any_values_as_graphql_core_does(rows):
    assert answer(PlainFieldExecutor, rows) == answer(StrawberryGraphQLCoreExecutionContext, rows)


PLAIN_ROWS = ("name nickname born kind count alias: name __typename office { code label } "
              "backup { code label __typename }")
PLAIN_QUERIES = (f"{{ sheet {{ title rows {{ {PLAIN_ROWS} }} }} }}",  # a plain list field
                 f"{{ page {{ {PLAIN_ROWS} }} }}")  # a list a resolver returned


@given(st.one_of(st.none(), st.lists(loose_row, max_size=4), st.lists(loose_row, max_size=3).map(tuple),
                 st.integers(0, 2), st.lists(loose_row, max_size=2).map(iter)), st.sampled_from(PLAIN_QUERIES))
def test_a_selection_of_plain_fields_completed_in_one_loop_answers_as_graphql_core_does(rows, query):
    def fresh() -> Any:  # an iterator is read once: each executor gets its own
        return iter(kept) if is_iterator else rows

    is_iterator = not isinstance(rows, (list, tuple, int)) and rows is not None
    kept = list(rows) if is_iterator else rows
    assert answer(PlainFieldExecutor, fresh(), query=query) == answer(
        StrawberryGraphQLCoreExecutionContext, fresh(), query=query)


def test_a_page_of_plain_rows_is_completed_in_one_loop_with_the_same_data():
    rows = [Row(name=f"张{i}", nickname=None, born=date(2020, 1, i + 1), kind=Kind.WITHIN, count=i,
                office=Office(code="A", label="福州"), backup=None) for i in range(3)]
    fast = answer(PlainFieldExecutor, rows, query=PLAIN_QUERIES[0])
    assert fast == answer(StrawberryGraphQLCoreExecutionContext, rows, query=PLAIN_QUERIES[0])
    assert fast[1] == [] and fast[0]["sheet"]["rows"][2] == {
        "name": "张2", "nickname": None, "born": "2020-01-03", "kind": "WITHIN", "count": 2, "alias": "张2",
        "__typename": "Row", "office": {"code": "A", "label": "福州"}, "backup": None}


def test_a_null_in_a_non_null_leaf_is_the_same_located_error():
    rows = [Row(name=None, nickname=None, born=date(2020, 1, 1), kind=Kind.WITHIN, count=1,  # type: ignore[arg-type]
                office=Office(code="A", label=None), backup=None)]
    data, errors = answer(PlainFieldExecutor, rows)
    assert data is None
    assert errors == [("Cannot return null for non-nullable field Row.name.", ["page", 0, "name"])]


class Counting(SchemaExtension):
    seen: list[str] = []

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        Counting.seen.append(info.field_name)
        return _next(root, info, *args, **kwargs)


def test_an_extension_that_wraps_resolvers_still_sees_every_field():
    rows = [Row(name="张三", nickname=None, born=date(2020, 1, 1), kind=Kind.ACROSS, count=2,
                office=Office(code="B", label="福州"), backup=None)]
    Counting.seen = []
    data, _ = answer(PlainFieldExecutor, rows, Counting)
    assert data["page"][0]["name"] == "张三" and data["page"][0]["office"] == {"code": "B", "label": "福州",
                                                                             "later": "b"}
    assert {"name", "nickname", "born", "kind", "count", "shouted", "office", "code"} <= set(Counting.seen)


def test_a_duplicate_set_row_answers_every_field_of_the_duplicate_set_type():
    from strawberry.types.base import get_object_definition

    from ledger_api.cohorts import DuplicateSet, DuplicateSetRow

    definition = get_object_definition(DuplicateSet, strict=True)
    assert {f.python_name for f in definition.fields} <= set(dir(DuplicateSetRow))
