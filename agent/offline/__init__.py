"""The offline analyst: answers common questions with playbooks, without a language model."""

from .provider import OfflineProvider, make_offline_provider

__all__ = ["OfflineProvider", "make_offline_provider"]
