"""One dialogue's memories as the sentence encoder saw them, stored so a later stage reads back the exact floats."""

from __future__ import annotations

from pydantic import Field

from schemas.base import Record


class TextEmbeddings(Record):
    """Rendered memory texts and their unit-length embeddings, one row per text.

    `vectors` is base64 of the float32 rows (little-endian, row-major, `len(texts)` x `dim`): JSON round-trips the
    bytes, so every stage that reads the record scores with the same floats whoever computed them.
    """

    dialogue_id: str = Field(min_length=1)
    model: str = Field(min_length=1, description="the encoder's name, e.g. all-MiniLM-L6-v2")
    dim: int = Field(ge=1)
    texts: list[str]
    vectors: str
