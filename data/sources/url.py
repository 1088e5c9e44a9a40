"""A live source's address: which engine, where, as whom, which schema; never shown with its
password.

``postgresql://user:pw@host:5432/db?schema=service`` and ``mysql://`` or ``mariadb://user:pw@host:
3306/db`` are understood. The password is held apart from the rest (``SourceUrl.password``) and
every text form of a ``SourceUrl`` (``str``, ``repr``, ``display``) leaves it out, so an error
message, a log line or a doctor report cannot carry it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

from ..errors import DataError

Engine = Literal["postgres", "mysql"]
_SCHEMES: dict[str, Engine] = {
    "postgresql": "postgres",
    "postgres": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
}
_DEFAULT_PORTS: dict[Engine, int] = {"postgres": 5432, "mysql": 3306}


class SourceUrlError(DataError):
    """A source URL that cannot be used; the message never repeats the URL."""


@dataclass(frozen=True)
class SourceUrl:
    engine: Engine
    host: str
    port: int
    user: str
    database: str
    schema: str | None = None  # PostgreSQL: the schema searched (default public)
    password: str = field(default="", repr=False)

    def display(self) -> str:
        """Where the source is, for people: engine, user, host, port and database."""
        scheme = "postgresql" if self.engine == "postgres" else "mysql"
        where = f"{scheme}://{self.user}@{self.host}:{self.port}/{self.database}"
        return where + (f"?schema={self.schema}" if self.schema else "")

    def __str__(self) -> str:
        return self.display()

    def with_password(self, password: str) -> SourceUrl:
        return SourceUrl(
            self.engine, self.host, self.port, self.user, self.database, self.schema, password
        )


def parse_source_url(url: str) -> SourceUrl:
    """The parts of ``url``; an unusable URL raises ``SourceUrlError`` naming the part."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise SourceUrlError("The source URL is not valid (check the host and port).") from None
    engine = _SCHEMES.get(parts.scheme.lower())
    if engine is None:
        known = ", ".join(f"{s}://" for s in _SCHEMES)
        raise SourceUrlError(f"The source URL must start with one of {known}.")
    if not parts.hostname:
        raise SourceUrlError("The source URL names no host.")
    database = unquote(parts.path.lstrip("/"))
    if not database or "/" in database:
        raise SourceUrlError("The source URL must name one database after the host (…/name).")
    if not parts.username:
        raise SourceUrlError("The source URL names no user (user@host).")
    query = parse_qs(parts.query)
    unknown = sorted(set(query) - {"schema"})
    if unknown:
        raise SourceUrlError(f"The source URL has an unknown option {unknown[0]!r} (only schema).")
    schema = query.get("schema", [None])[0]
    if schema is not None and not schema.isidentifier():
        raise SourceUrlError("The schema in the source URL must be a plain name.")
    if engine == "mysql" and schema and schema != database:
        raise SourceUrlError("A MySQL or MariaDB source's schema is its database; drop ?schema.")
    return SourceUrl(
        engine=engine,
        host=parts.hostname,
        port=port or _DEFAULT_PORTS[engine],
        user=unquote(parts.username),
        database=database,
        schema=schema,
        password=unquote(parts.password or ""),
    )
