"""The ``casefile`` command line.

Subcommands: ``demo``, ``keys new``, ``export``, ``verify``, ``cases``,
``evidence add``, ``evidence check``, ``exhibits`` and ``casefile``. Run ``casefile --help``.
Exit status: 0 success or verified, 1 verification failed, 2 unusable input or
a usage error, 3 an internal error, 130 interrupted.
"""

from casefile.cli._main import main

__all__ = ["main"]
