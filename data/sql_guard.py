"""The guard every piece of untrusted SQL passes before it reaches the warehouse.

``check_sql`` parses with sqlglot (DuckDB dialect) and accepts exactly one read-only query over the
catalog's tables. It works from allow-lists where it can: the AST may only contain node kinds this
module knows to be harmless, table functions are limited to a few generators, and any node kind it
does not know fails closed. Functions are the one deny-list, because DuckDB has hundreds of
harmless scalar functions; the dangerous ones (files, network, settings, secrets, catalog
introspection) are named below, and the locked-down connection of ``warehouse.py`` is the second
wall behind this one. Every rejection is one sentence a model (or a person) can act on.
"""

from __future__ import annotations

import re

from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token, TokenType

from .errors import ServiceLensError


class QueryError(ServiceLensError):
    """A query that cannot run as written; the message says what to change."""


class SqlRejected(QueryError):
    """The guard refused a query; ``reason`` is one sentence naming the problem."""

    exit_code = 2

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_DIALECT = DuckDB()

# Tokens a read-only query may start with: SELECT, WITH … SELECT, DuckDB's FROM-first SELECT,
# and a parenthesised query. Anything else is refused before parsing, which also keeps sqlglot
# from falling back to an opaque Command node for statements it does not model.
_QUERY_STARTS = {TokenType.SELECT, TokenType.WITH, TokenType.FROM, TokenType.L_PAREN}

# sqlglot parses by recursive descent, about twenty Python frames per level of nesting, so SQL
# nested a few dozen levels deep exhausts the interpreter's recursion limit. Nesting and length
# are bounded before parsing; real analytical SQL stays well inside both.
MAX_SQL_CHARS = 20_000
MAX_NESTING = 20
_OPENERS = {TokenType.L_PAREN, TokenType.L_BRACKET, TokenType.L_BRACE, TokenType.CASE}
_CLOSERS = {TokenType.R_PAREN, TokenType.R_BRACKET, TokenType.R_BRACE, TokenType.END}
# Prefix operators nest without brackets ("NOT NOT NOT x"); a run of them counts as nesting.
_PREFIX_OPERATORS = {TokenType.NOT, TokenType.DASH, TokenType.PLUS, TokenType.TILDE}
_TOO_DEEP = (
    f"The SQL is nested too deeply (more than {MAX_NESTING} levels of brackets, CASE or NOT); "
    "flatten it with a WITH clause."
)

# Table functions allowed in FROM: pure generators that read nothing.
_TABLE_FUNCTIONS = {"range", "generate_series", "unnest"}

# Function names (lower case) refused anywhere. tests/test_sql_guard.py checks against the installed
# DuckDB that no built-in macro or alias reaches one of these (get_block_size wraps a pragma,
# format_type reads duckdb_types), so such wrappers are listed here too.
_DENIED_FUNCTIONS = {
    # Environment, settings, variables, secrets and session state.
    "getenv", "current_setting", "getvariable", "which_secret", "secret", "setseed",
    # The system: version, database, schema and user names, storage, ids of the session.
    "version", "current_database", "current_catalog", "current_schema", "current_schemas",
    "in_search_path", "get_block_size", "current_query", "current_query_id",
    "current_connection_id", "current_transaction_id", "txid_current", "current_user",
    "current_role", "session_user", "user", "stats", "vector_type", "index_key",
    # The type and object catalog, and sequences.
    "format_type", "col_description", "obj_description", "shobj_description", "nextval",
    "currval", "setval",
    # Files, extensions, dynamic SQL, the parser, checkpoints, logging and sleeping.
    "glob", "sniff_csv", "query", "query_table", "load", "install", "to_file", "summary",
    "checkpoint", "force_checkpoint", "sleep_ms", "sql_auto_complete", "add_grammar_extension",
    "remove_grammar_extension", "histogram_values",
    # Table functions that scan by name or generate test data.
    "seq_scan", "repeat_row", "test_all_types", "test_vector_types", "icu_calendar_names",
    "json_each", "json_tree",
}  # fmt: skip
_DENIED_PREFIXES = (
    "read_", "parquet_", "sqlite_", "postgres_", "mysql_", "iceberg_", "delta_", "duckdb_",
    "pragma_", "pg_", "has_", "json_execute", "json_serialize", "json_deserialize", "write_",
    "arrow_", "pandas_", "python_", "enable_", "disable_", "http", "s3", "gcs_", "azure_",
    "register_", "deregister_", "create_", "destroy_", "truncate_", "excel_", "st_read",
    "ducklake_", "txid_",
)  # fmt: skip
_ALLOWED_DESPITE_PREFIX = {"pg_typeof"}

# Node kinds a read-only query is made of. Functions (exp.Func) are checked by name instead.
_ALLOWED_NODES: tuple[type[exp.Expression], ...] = (
    exp.Select, exp.Union, exp.Except, exp.Intersect, exp.Subquery, exp.With, exp.CTE,
    exp.From, exp.Join, exp.Lateral, exp.Table, exp.TableAlias, exp.Values, exp.Tuple,
    exp.Where, exp.Group, exp.Having, exp.Qualify, exp.Order, exp.Ordered, exp.Limit,
    exp.Offset, exp.Fetch, exp.LimitOptions, exp.Distinct, exp.Window, exp.WindowSpec,
    exp.Filter, exp.WithinGroup, exp.IgnoreNulls, exp.RespectNulls, exp.Rollup, exp.Cube,
    exp.GroupingSets, exp.Pivot, exp.PivotAlias, exp.UnpivotColumns, exp.TableSample,
    exp.Column, exp.Identifier, exp.Star, exp.Alias, exp.Aliases, exp.Literal, exp.Null,
    exp.Boolean, exp.Var, exp.Interval, exp.IntervalSpan, exp.DataType, exp.DataTypeParam,
    exp.Paren, exp.Dot, exp.Bracket, exp.Slice, exp.Lambda, exp.Comprehension, exp.PropertyEQ,
    exp.Kwarg, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.IntDiv, exp.Mod, exp.Neg,
    exp.DPipe, exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ,
    exp.NullSafeNEQ, exp.Is, exp.In, exp.Between, exp.Like, exp.ILike, exp.SimilarTo, exp.Glob,
    exp.Escape, exp.Not, exp.And, exp.Or, exp.Xor, exp.All, exp.Any, exp.AtTimeZone,
    exp.BitwiseAnd, exp.BitwiseOr, exp.BitwiseXor, exp.BitwiseNot, exp.BitwiseLeftShift,
    exp.BitwiseRightShift, exp.Overlaps, exp.JSONPath, exp.JSONPathRoot, exp.JSONPathKey,
    exp.JSONPathSubscript, exp.JSONPathSlice, exp.JSONPathWildcard, exp.HexString,
    exp.BitString, exp.ByteString, exp.RawString, exp.National, exp.UnicodeString,
)  # fmt: skip

# Statement kinds named in rejections, so the model learns what it tried.
_STATEMENT_NAMES: dict[type[exp.Expr], str] = {
    exp.Insert: "INSERT", exp.Update: "UPDATE", exp.Delete: "DELETE", exp.Merge: "MERGE",
    exp.Create: "CREATE", exp.Drop: "DROP", exp.Alter: "ALTER", exp.TruncateTable: "TRUNCATE",
    exp.Copy: "COPY", exp.Attach: "ATTACH", exp.Detach: "DETACH", exp.Pragma: "PRAGMA",
    exp.Set: "SET", exp.Install: "INSTALL", exp.Export: "EXPORT", exp.Describe: "DESCRIBE",
    exp.Show: "SHOW", exp.Summarize: "SUMMARIZE", exp.Use: "USE", exp.Into: "SELECT INTO",
    exp.Transaction: "BEGIN", exp.Commit: "COMMIT", exp.Rollback: "ROLLBACK",
    exp.Returning: "RETURNING", exp.Values: "VALUES", exp.Pivot: "PIVOT",
}  # fmt: skip


def check_sql(
    sql: str, allowed_tables: set[str], *, row_cap: int, allow_parameters: bool = False
) -> str:
    """The SQL to run for ``sql``, or ``SqlRejected`` saying in one sentence what is wrong.

    ``allow_parameters`` admits ``?`` placeholders, for SQL compiled by ServiceLens itself that
    is checked as a second line of defence; SQL written by a model or a user has none.
    """
    return _check(sql, allowed_tables, row_cap, allow_parameters)[0]


def checked_query(
    sql: str, allowed_tables: set[str], *, row_cap: int, allow_parameters: bool = False
) -> exp.Query:
    """The checked tree of exactly the SQL ``check_sql`` returns, for callers that rewrite it
    further (a data scope) or generate it in another dialect (a live source)."""
    return _check(sql, allowed_tables, row_cap, allow_parameters)[1]


def _check(
    sql: str, allowed_tables: set[str], row_cap: int, allow_parameters: bool
) -> tuple[str, exp.Query]:
    if len(sql) > MAX_SQL_CHARS:
        raise SqlRejected(
            f"The SQL is too long ({len(sql):,} characters; at most {MAX_SQL_CHARS:,}); "
            "aggregate in fewer, shorter steps."
        )
    tokens = _tokenize(sql)
    _check_nesting(tokens)
    allowed = {t.lower() for t in allowed_tables}
    try:
        tree = _checked_tree(tokens, sql, allowed, allow_parameters)
        safe_sql = _with_row_cap(tree, row_cap).sql(dialect=_DIALECT)
        # The SQL that runs is regenerated from the tree, and sqlglot's generator may rename
        # functions or rewrite syntax; checking the regenerated text again makes the guard's
        # verdict hold for exactly what DuckDB will execute.
        final_tokens = _tokenize(safe_sql)
        _check_called_names(final_tokens)
        final_tree = _checked_tree(final_tokens, safe_sql, allowed, allow_parameters)
    except RecursionError:
        # The nesting bound leaves headroom, but a caller deep in its own stack may still run
        # out inside sqlglot; the query is refused for what it is, never crashes the answer.
        raise SqlRejected(_TOO_DEEP) from None
    return safe_sql, final_tree


def _checked_tree(
    tokens: list[Token], sql: str, allowed: set[str], allow_parameters: bool
) -> exp.Query:
    _check_statement_starts(tokens)
    while tokens[-1].token_type == TokenType.SEMICOLON:
        tokens.pop()  # a trailing ";" (and the comment after it) is not another statement
    tree = _parse(tokens, sql)
    _check_nodes(tree, allow_parameters)
    _check_tables(tree, allowed)
    return tree


def _tokenize(sql: str) -> list[Token]:
    try:
        tokens = _DIALECT.tokenize(sql)
    except TokenError as exc:
        raise SqlRejected(f"The SQL could not be parsed: {_first_line(str(exc))}.") from None
    if not any(t.token_type != TokenType.SEMICOLON for t in tokens):
        raise SqlRejected("The SQL is empty; send one SELECT query.")
    return tokens


def _check_nesting(tokens: list[Token]) -> None:
    depth = prefix_run = 0
    for token in tokens:
        kind = token.token_type
        prefix_run = prefix_run + 1 if kind in _PREFIX_OPERATORS else 0
        if kind in _OPENERS:
            depth += 1
        elif kind in _CLOSERS:
            depth -= 1
        if depth + prefix_run > MAX_NESTING:
            raise SqlRejected(_TOO_DEEP)


def _check_called_names(tokens: list[Token]) -> None:
    # sqlglot names some functions after its own classes, not DuckDB: version() parses as
    # CurrentVersion. Every name called in the SQL DuckDB will run is checked as DuckDB reads
    # it. A name after AS is an alias with a column list (the generator always writes AS).
    for before, token, after in zip(tokens, tokens[1:], tokens[2:], strict=False):
        called = after.token_type == TokenType.L_PAREN and before.token_type != TokenType.ALIAS
        if called and is_denied_function(token.text):
            raise SqlRejected(_denied_reason(token.text.lower()))


def _check_statement_starts(tokens: list[Token]) -> None:
    statements: list[list[Token]] = [[]]
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            statements.append([])
        else:
            statements[-1].append(token)
    statements = [s for s in statements if s]
    if len(statements) != 1:
        raise SqlRejected(
            f"Send exactly one SELECT statement; this SQL holds {len(statements)} statements."
        )
    first = statements[0][0]
    if first.token_type not in _QUERY_STARTS:
        raise SqlRejected(
            f"Only read-only SELECT queries are allowed; this is a {first.text.upper()} statement."
        )


def _parse(tokens: list[Token], sql: str) -> exp.Query:
    try:
        trees = [t for t in _DIALECT.parser().parse(tokens, sql) if t is not None]
    except ParseError as exc:
        detail = exc.errors[0] if exc.errors else {}
        where = f" (line {detail.get('line')}, column {detail.get('col')})" if detail else ""
        message = detail.get("description") or _first_line(str(exc))
        raise SqlRejected(f"The SQL could not be parsed: {message}{where}.") from None
    if len(trees) != 1:
        raise SqlRejected(f"Send exactly one SELECT statement; this SQL holds {len(trees)}.")
    tree = trees[0]
    while isinstance(tree, exp.Subquery | exp.Paren) and isinstance(tree.this, exp.Query):
        tree = tree.this
    if not isinstance(tree, exp.Select | exp.SetOperation):
        name = _STATEMENT_NAMES.get(type(tree), type(tree).__name__.upper())
        raise SqlRejected(f"Only read-only SELECT queries are allowed; this is a {name} statement.")
    return tree


def _check_nodes(tree: exp.Query, allow_parameters: bool) -> None:
    for node in tree.walk():
        if isinstance(node, exp.Func):
            _check_function(node)
        elif isinstance(node, exp.Placeholder) and allow_parameters and not node.this:
            continue
        elif isinstance(node, exp.Placeholder | exp.Parameter | exp.SessionParameter):
            raise SqlRejected("Query parameters are not supported; write the values inline.")
        elif not isinstance(node, _ALLOWED_NODES):
            raise SqlRejected(_forbidden_node_reason(node))


def _forbidden_node_reason(node: exp.Expr) -> str:
    name = _STATEMENT_NAMES.get(type(node))
    if isinstance(node, exp.Command):
        name = str(node.this).upper()
    if name:
        return f"Only read-only SELECT queries are allowed; the query contains {name}."
    return (
        f"The query uses a construct ({type(node).__name__}) that is not allowed here; "
        "rewrite it as a plain SELECT."
    )


def _function_name(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    return node.sql_name().lower()


def is_denied_function(name: str) -> bool:
    """True when a DuckDB function of this name is refused wherever it appears."""
    name = name.lower()
    return name in _DENIED_FUNCTIONS or (
        name.startswith(_DENIED_PREFIXES) and name not in _ALLOWED_DESPITE_PREFIX
    )


def _check_function(node: exp.Func) -> None:
    name = _function_name(node)
    if is_denied_function(name) or isinstance(node, exp.ReadCSV | exp.ReadParquet):
        raise SqlRejected(_denied_reason(name))
    # Only what stands in the table position is a table function: a join's ON condition (an
    # AND of comparisons, which sqlglot models as a function) is an ordinary expression.
    in_from = (
        isinstance(node.parent, exp.Table | exp.Lateral | exp.From | exp.Join)
        and node.arg_key == "this"
    )
    if in_from and name not in _TABLE_FUNCTIONS and not isinstance(node, exp.Unnest):
        allowed = ", ".join(sorted(_TABLE_FUNCTIONS))
        raise SqlRejected(
            f"The table function {name}() is not allowed; query the catalog's tables "
            f"(table functions allowed: {allowed})."
        )


def _denied_reason(name: str) -> str:
    return (
        f"The function {name}() is not allowed: queries may not read files, the network, "
        "settings or the system catalog."
    )


def _check_tables(tree: exp.Query, allowed: set[str]) -> None:
    for table in tree.find_all(exp.Table):
        if isinstance(table.this, exp.Func):
            continue  # a table function, already checked by name
        name = table.name.lower()
        schema = table.db.lower()
        if table.catalog or schema not in ("", "main"):
            qualified = ".".join(p for p in (table.catalog, table.db, table.name) if p)
            raise SqlRejected(
                f"Only the catalog's tables can be queried; {qualified} is outside it."
            )
        if name in allowed or (not schema and name in _visible_ctes(table)):
            continue
        raise SqlRejected(_unknown_table_reason(table))


def _unknown_table_reason(table: exp.Table) -> str:
    name = table.name
    if table.this.args.get("quoted") and re.search(r"[./\\*:]", name):
        return f"Reading files is not allowed ('{name}'); query the catalog's tables instead."
    return f"Table {name} is not in the catalog; call describe_data to see the available tables."


def _visible_ctes(table: exp.Table) -> set[str]:
    # CTE names in scope where the table is referenced: every CTE of a WITH whose query contains
    # the table, and, inside a CTE, that CTE and the ones defined before it. A name outside its
    # scope would otherwise let DuckDB resolve it to a system view of the same name.
    names: set[str] = set()
    node: exp.Expr = table
    while node.parent is not None:
        parent = node.parent
        if isinstance(parent, exp.With):
            ctes = parent.expressions
            upto = next(i for i, cte in enumerate(ctes) if cte is node)
            names.update(cte.alias_or_name.lower() for cte in ctes[: upto + 1])
        else:
            with_ = parent.args.get("with_")
            if isinstance(with_, exp.With) and with_ is not node:
                names.update(cte.alias_or_name.lower() for cte in with_.expressions)
        node = parent
    return names


def _with_row_cap(tree: exp.Query, row_cap: int) -> exp.Query:
    # An outer LIMIT of row_cap + 1 lets the caller see that rows were cut; a smaller literal
    # LIMIT the query already has is kept. Anything else (FETCH, LIMIT expressions, percentages)
    # is wrapped so the cap applies to the query's final rows.
    cap = row_cap + 1
    limit = tree.args.get("limit")
    if limit is None:
        tree.set("limit", exp.Limit(expression=exp.Literal.number(cap)))
        return tree
    value = limit.expression if isinstance(limit, exp.Limit) else None
    if isinstance(value, exp.Literal) and value.is_int and not limit.args.get("limit_options"):
        if int(value.this) > cap:
            limit.set("expression", exp.Literal.number(cap))
        return tree
    wrapped = exp.select("*").from_(tree.subquery("_capped")).limit(cap)
    return wrapped


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0].rstrip(".") if message.strip() else "syntax error"
