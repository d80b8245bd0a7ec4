"""Query writers, one per skill: skill name -> writer(world, dialogue, n, rng) -> n query drafts."""

from __future__ import annotations

from generators.skills import causal, coreference, episodes, knowledge_update, multi_hop, temporal, unanswerable
from generators.skills.base import QueryDraft, Writer

WRITERS: dict[str, Writer] = {
    "temporal": temporal.write,
    "causal": causal.write,
    "coreference": coreference.write,
    "multi_hop": multi_hop.write,
    "knowledge_update": knowledge_update.write,
    "unanswerable": unanswerable.write,
    "single_hop": episodes.write_single_hop,
    "feeling": episodes.write_feeling,
    "aggregation": episodes.write_aggregation,
    "speaker_swap": episodes.write_speaker_swap,
}


def get_writer(skill: str) -> Writer:
    """The writer for `skill`; a ValueError naming the skill when there is none."""
    try:
        return WRITERS[skill]
    except KeyError:
        raise ValueError(
            f"generate.skills: no query writer for skill {skill!r} (writers exist for: {', '.join(sorted(WRITERS))})"
        ) from None


__all__ = ["WRITERS", "QueryDraft", "Writer", "get_writer"]
