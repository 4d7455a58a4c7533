"""casefile: signed, hash-chained investigation records and verifiable case files."""

__version__ = "0.1.0"

__all__ = ["__version__"]
