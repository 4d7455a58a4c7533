"""The ``casefile`` command line: ``demo``, ``keys new``, ``export``, ``verify``, ``cases``.

Run ``casefile --help``. Exit status: 0 success or verified, 1 verification
failed, 2 unusable input or a usage error.
"""

from casefile.cli._main import main

__all__ = ["main"]
