"""The key that signs sessions and mailed links when none is configured."""

import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger(__name__)


def instance_secret(instance_path: str) -> str:
    """Return this machine's random key, creating it on first use.

    Kept in ``instance/secret-key`` (readable by the owner only), so a single
    machine is safe without configuration and restarts keep sessions valid.
    Several hosts must share one key through ``PAMONG_SECRET_KEY``.
    """
    path = Path(instance_path) / "secret-key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()

    key = secrets.token_hex(32)
    with os.fdopen(descriptor, "w", encoding="ascii") as out:
        out.write(key)
    log.info("Created a new secret key in %s", path)
    return key
