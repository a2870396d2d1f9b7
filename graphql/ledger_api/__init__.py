"""The ledger's GraphQL API (strawberry on starlette).

Lives in `graphql/ledger_api/` and is installed as `ledger_api`; `graphql/` itself is not a
package, because a `graphql` package would shadow graphql-core, which strawberry imports.
"""
