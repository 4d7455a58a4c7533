"""The top-level package: every advertised name resolves, lazily."""

from __future__ import annotations

import subprocess
import sys

import pytest

import casefile


@pytest.mark.parametrize("name", casefile.__all__)
def test_every_exported_name_resolves(name: str) -> None:
    assert getattr(casefile, name) is not None


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        casefile.nope  # noqa: B018


def test_verifier_import_does_not_load_eventsourcing_or_the_domain() -> None:
    code = (
        "import sys, casefile, casefile.verifier, casefile.bundle;"
        "bad = [m for m in sys.modules if m.startswith(('eventsourcing', 'casefile.events',"
        " 'casefile.application', 'psycopg'))];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_all_lists_exactly_the_lazy_exports() -> None:
    assert set(casefile.__all__) == {"__version__", *casefile._EXPORTS}


def test_every_error_class_is_exported_documented_and_under_the_one_root() -> None:
    # A caller catches what casefile.errors lists; an error class left out of __all__
    # (TrustRootError, once) is missing from `from casefile.errors import *` and the docs.
    import inspect

    import casefile.errors as errors

    defined = {
        name
        for name, value in vars(errors).items()
        if inspect.isclass(value)
        and issubclass(value, BaseException)
        and value.__module__ == errors.__name__
    }
    assert defined - set(errors.__all__) == set()
    for name in defined:
        value = getattr(errors, name)
        assert issubclass(value, errors.CasefileError), name
        assert (value.__doc__ or "").strip(), name
