"""Webhook connector: external crawlers and licensed data providers push signed batches of items."""

from __future__ import annotations

from .config import DEFAULT_WINDOW, WebhookConfig, generate_secret
from .parse import (
    SIGNATURE_HEADER,
    SIGNATURE_PREFIX,
    TIMESTAMP_HEADER,
    MemoryReplayGuard,
    ReplayGuard,
    SignatureError,
    SignatureProblem,
    parse_payload,
    sign,
    signed_headers,
    verify,
)

KIND = "webhook"
LABEL = "Webhook push"
PULL = False
Config = WebhookConfig

__all__ = [
    "KIND", "LABEL", "PULL", "Config", "WebhookConfig", "DEFAULT_WINDOW", "generate_secret", "SIGNATURE_HEADER",
    "SIGNATURE_PREFIX", "TIMESTAMP_HEADER", "MemoryReplayGuard", "ReplayGuard", "SignatureError",
    "SignatureProblem", "parse_payload", "sign", "signed_headers", "verify",
]
