"""Which committed fields of a record are texts (docs/FORMAT.md §10.4), for B11.

A text disclosure shows itself a text by its key set; a field with no
disclosure at all shows nothing. B11 must still know that such a field is a
text withheld whole, so it reads the payload schema of the record's type:
there a text commitment is declared as ``{"$ref": "#/$defs/text"}``, a value
commitment as ``#/$defs/sha256``. A correction's committed fields are those of
the record it corrects, and the schema of ``record.corrected`` declares each
name it may carry with its kind (a name is a text or a value in every type).
"""

from __future__ import annotations

from typing import Any, Final

from casefile.verifier._engine import VerifiedRecord
from casefile.verifier._payloads import PayloadSchemas

__all__ = ["TEXT_REF", "TextFields"]

#: How a payload schema declares a text commitment in ``pd``.
TEXT_REF: Final = "#/$defs/text"
_NONE: Final = frozenset[str]()


class TextFields:
    """The text fields of each record type, read once from the payload schemas."""

    __slots__ = ("_by_type", "_schemas")

    def __init__(self, schemas: PayloadSchemas) -> None:
        self._schemas = schemas
        self._by_type: dict[tuple[str, int], frozenset[str]] = {}

    def _declared(self, key: tuple[str, int]) -> frozenset[str]:
        found = self._by_type.get(key)
        if found is None:
            found = _NONE
            if key in self._schemas:
                pd: Any = self._schemas.document(*key).get("properties", {}).get("pd", {})
                declared = pd.get("properties", {}) if isinstance(pd, dict) else {}
                found = frozenset(
                    name
                    for name, rule in declared.items()
                    if isinstance(rule, dict) and rule.get("$ref") == TEXT_REF
                )
            self._by_type[key] = found
        return found

    def of(self, record: VerifiedRecord) -> frozenset[str]:
        """The names of ``record``'s committed fields that are texts."""
        return self._declared((record.event_type, record.schema))
