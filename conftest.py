"""pytest setup for the whole checkout: tests/ and the docstring examples of spikefit/."""
import _pytest.doctest
import pytest

_DOCTEST_MODULE = _pytest.doctest.DoctestModule  # pytest's own collector, before brian2 replaces it


@pytest.hookimpl(tryfirst=True)
def pytest_collect_file(file_path, parent):
    """Put pytest's doctest collector back before each file: importing brian2 (the tests do)
    swaps in brian2's own, which fails on the doctests of a package's ``__init__.py``."""
    _pytest.doctest.DoctestModule = _DOCTEST_MODULE
