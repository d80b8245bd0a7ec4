"""The one word tokenizer and stop list: what lexical matching (BM25, look-alike negatives, n-gram overlap) reads.

`words` lower-cases and splits on `\\w+`; `content_words` drops the function words of `STOPWORDS`, which match
everything: "in" in "In August 2023, where was ..." must not pull "Hang in there."
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+")

STOPWORDS = frozenset(
    _WORD.findall(
        """a an the and or but if of to in on at for from by with about as into onto than then so too very not no
        is are was were be been being am do does did doing done have has had having will would shall should can
        could may might must i you he she it we they me him her us them my your his its our their mine yours hers
        ours theirs this that these those there here what where when why how who whom which s t d ll re ve m""",
    )
)


def words(text: str) -> list[str]:
    """Lower-cased word tokens, in order."""
    return _WORD.findall(text.lower())


def content_words(text: str, stopwords: frozenset[str] = STOPWORDS) -> list[str]:
    """`words` without `stopwords`, in order: what BM25 matches on."""
    return [w for w in words(text) if w not in stopwords]
