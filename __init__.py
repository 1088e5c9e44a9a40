"""ServiceLens: answers a service manager's questions from service history and customer voices.

Every number and quote in an answer is cited and checked against what the tools returned.
Library users start with ``from servicelens import Analyst``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Analyst", "Scope", "__version__"]

if TYPE_CHECKING:
    from .agent.analyst import Analyst
    from .data.scope import Scope


def __getattr__(name: str) -> Any:
    # Imported lazily so that `import servicelens` stays cheap and creates nothing.
    if name == "Analyst":
        from .agent.analyst import Analyst

        return Analyst
    if name == "Scope":
        from .data.scope import Scope

        return Scope
    raise AttributeError(f"module 'servicelens' has no attribute {name!r}")
