"""Which model provider an analyst uses: explicit choice, else what the settings resolve to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..data.errors import ServiceLensError
from .providers.base import Provider
from .settings import Settings
from .workspace import Workspace

if TYPE_CHECKING:
    from .offline.findings import Findings

# Customers at risk the offline analyst lists.
SHOWN_AT_RISK = 5

HOW_TO_CONFIGURE = (
    "No language model endpoint is configured. Set OPENAI_BASE_URL (and OPENAI_API_KEY if the "
    "endpoint needs one) and SERVICELENS_MODEL in the environment, or openai_base_url, "
    "openai_api_key and model under [servicelens] in servicelens.toml in the workspace; then "
    "run with --provider openai (provider='openai' in the library)."
)


class ProviderNotConfigured(ServiceLensError):
    """No usable model provider; the message says how to configure one."""


def resolve_provider(spec: Provider | str | None, workspace: Workspace) -> Provider:
    """A provider instance: ``spec`` if it is one, else built by name (``spec`` or settings)."""
    if spec is not None and not isinstance(spec, str):
        return spec
    settings = workspace.settings
    name = spec or settings.resolved_provider
    if name == "openai":
        return _openai(settings)
    if name == "offline":
        return _offline(workspace)
    if name == "scripted":
        raise ProviderNotConfigured(
            "The scripted provider replays a fixed script: pass a ScriptedProvider instance "
            "(servicelens.agent.providers.scripted) as provider."
        )
    raise ProviderNotConfigured(f"Unknown provider {name!r}; use openai, offline or scripted.")


def _openai(settings: Settings) -> Provider:
    if not (settings.openai_base_url or settings.openai_api_key):
        raise ProviderNotConfigured(HOW_TO_CONFIGURE)
    from .providers.openai_provider import OpenAIProvider

    return OpenAIProvider.from_settings(settings)


def _offline(workspace: Workspace) -> Provider:
    # No language model: analysis playbooks answer through the same tools and verifier.
    from .offline import make_offline_provider

    return make_offline_provider(workspace, _findings(workspace))


def _findings(workspace: Workspace) -> Findings | None:
    """Early warnings and customer health over the workspace, with its settings' rules."""
    from .health import customer_health
    from .offline.findings import Findings, WorkspaceSource
    from .warnings import early_warnings

    if workspace.warehouse is None or workspace.catalog is None:
        return None
    source, settings = WorkspaceSource(workspace.warehouse, workspace.catalog), workspace.settings
    return Findings(
        lambda day: early_warnings(source, as_of=day, rules=settings.warnings),
        lambda day: customer_health(
            source, as_of=day, rules=settings.health,
            within_days=settings.warnings.repeat.within_days, top=SHOWN_AT_RISK,
        ),
    )  # fmt: skip
