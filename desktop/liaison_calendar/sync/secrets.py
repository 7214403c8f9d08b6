"""Sync passwords: in the system keyring when there is one, else only in memory for the run.

Never in the database, a log or an error message. ``LIAISON_SYNC_PASSWORD`` gives the
password to a command run from a script (and to tests).
"""

import logging
import os

log = logging.getLogger(__name__)

SERVICE = "Liaison Calendar sync"
ENVIRONMENT = "LIAISON_SYNC_PASSWORD"


def _key(user: str, url: str) -> str:
    return f"{user}@{url}"


class Secrets:
    def __init__(self) -> None:
        self._memory: dict[str, str] = {}

    def get(self, user: str, url: str) -> str | None:
        key = _key(user, url)
        if key in self._memory:
            return self._memory[key]
        from_env = os.environ.get(ENVIRONMENT)
        if from_env:
            return from_env
        try:
            import keyring

            found = keyring.get_password(SERVICE, key)
        except Exception as exc:  # noqa: BLE001 - any keyring backend, any failure: not stored
            log.info("no keyring: %s", type(exc).__name__)
            return None
        if found is not None:
            self._memory[key] = found
        return found

    def put(self, user: str, url: str, password: str) -> bool:
        """Keep ``password``; True when the system keyring has it (it outlives this run)."""
        key = _key(user, url)
        self._memory[key] = password
        try:
            import keyring

            keyring.set_password(SERVICE, key, password)
            # Some backends take a password and keep nothing (keyring's "null" backend).
            return bool(keyring.get_password(SERVICE, key) == password)
        except Exception as exc:  # noqa: BLE001
            log.info("password not kept in a keyring: %s", type(exc).__name__)
            return False

    def forget(self, user: str, url: str) -> None:
        key = _key(user, url)
        self._memory.pop(key, None)
        try:
            import keyring

            keyring.delete_password(SERVICE, key)
        except Exception as exc:  # noqa: BLE001
            log.info("nothing removed from a keyring: %s", type(exc).__name__)
