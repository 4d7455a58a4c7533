"""A private SoftHSM2 token in a temporary folder, for the PKCS#11 signer's tests.

SoftHSM2 finds its tokens through the configuration file ``SOFTHSM2_CONF``
names; each token made here has a configuration and a token folder of its own,
so no test touches the machine's tokens.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Final

MODULE_CANDIDATES: Final = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
)
LABEL: Final = "casefile-test"
PIN: Final = "4721-test-pin"
SO_PIN: Final = "so-4721-test-pin"


class SoftHsmUnavailableError(Exception):
    """SoftHSM2 (its utility or its module) or python-pkcs11 is not installed."""


@dataclass(frozen=True)
class SoftHsmToken:
    """A freshly initialised token: its module, label, PIN and a file holding the PIN."""

    module: str
    label: str
    pin: str
    pin_file: Path

    def uri(self, key: str, *, pin: bool = True, **extra: str) -> str:
        """A ``pkcs11:`` URI for the key labelled ``key`` in this token."""
        query = [f"module-path={self.module}"]
        if pin:
            query.append(f"pin-source=file:{self.pin_file}")
        query += [f"{k.replace('_', '-')}={v}" for k, v in extra.items()]
        return f"pkcs11:token={self.label};object={key}?{'&'.join(query)}"


def find_module() -> str:
    for candidate in MODULE_CANDIDATES:
        if os.path.isfile(candidate):
            return candidate
    raise SoftHsmUnavailableError("libsofthsm2.so not found (Debian package softhsm2)")


def make_tokens(folder: Path, labels: tuple[str, ...]) -> list[SoftHsmToken]:
    """Initialise tokens in ``folder`` and point ``SOFTHSM2_CONF`` at it.

    SoftHSM2 reads its configuration and its tokens once, when a process first
    loads the module: every token a test run uses is made here, before that.
    """
    utility = shutil.which("softhsm2-util")
    if utility is None:
        raise SoftHsmUnavailableError("softhsm2-util not found (Debian package softhsm2)")
    module = find_module()
    try:
        import pkcs11  # noqa: F401
    except ImportError:
        raise SoftHsmUnavailableError("python-pkcs11 is not installed (extra 'hsm')") from None
    tokens = folder / "tokens"
    tokens.mkdir(parents=True)
    config = folder / "softhsm2.conf"
    config.write_text(
        f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    os.environ["SOFTHSM2_CONF"] = str(config)
    pin_file = folder / "pin"
    pin_file.write_text(PIN + "\n")
    made = []
    for label in labels:
        subprocess.run(
            [utility, "--init-token", "--free", "--label", label, "--pin", PIN, "--so-pin", SO_PIN],
            check=True,
            capture_output=True,
            timeout=60,
        )
        made.append(SoftHsmToken(module=module, label=label, pin=PIN, pin_file=pin_file))
    return made
