"""Keep secrets out of anything we print or store: error texts, run history, logs."""

from __future__ import annotations

import os
import re

MASK = "***"
# environment variables whose values are secrets (the legacy names and dlt's config paths)
_SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|TOKEN|SECRET|_KEY$|^ETRAC_KEY$|CREDENTIALS|ODBC|DSN)", re.I)
# password parts inside connection strings: scheme://user:PASSWORD@host, Pwd=...; password=...
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)(?P<secret>[^@\s]+)(?P<tail>@)", re.I)
_KV_PASSWORD = re.compile(r"(?P<head>\b(?:pwd|password|passwd)\s*=\s*)(?P<secret>'[^']*'|[^;\s'\"]+)", re.I)


def secret_values(env: dict[str, str] | None = None) -> list[str]:
    """Values of secret-looking environment variables, longest first (at least 4 characters)."""
    env = os.environ if env is None else env
    found: set[str] = set()
    for name, value in env.items():
        if not value or not _SECRET_NAME.search(name):
            continue
        found.add(value)
        # the password inside a secret connection string too
        for pattern in (_URL_PASSWORD, _KV_PASSWORD):
            found.update(m.group("secret").strip("'") for m in pattern.finditer(value))
    return sorted((v for v in found if len(v) >= 4), key=len, reverse=True)


def redact(text: str, env: dict[str, str] | None = None) -> str:
    """``text`` with every secret value and connection-string password replaced by ``***``."""
    for value in secret_values(env):
        text = text.replace(value, MASK)
    text = _URL_PASSWORD.sub(lambda m: m.group("head") + MASK + m.group("tail"), text)
    return _KV_PASSWORD.sub(lambda m: m.group("head") + MASK, text)
