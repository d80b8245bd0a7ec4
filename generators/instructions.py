"""The memory-assistant instructions a query can carry: general ones, plus a few per skill."""

from __future__ import annotations

import random

GENERAL: tuple[str, ...] = (
    "Given a question a user asks their memory assistant, judge whether the memory helps answer it",
    "Find the past conversation turn that answers the user's question",
    "Retrieve memories from earlier conversations that help answer the question",
    "Given the user's question and when it is asked, select the memory that answers it",
    "Judge whether this remembered message contains the information the question needs",
    "You are a personal assistant with long-term memory; find the memory needed to answer the question",
)

BY_SKILL: dict[str, tuple[str, ...]] = {
    "temporal": (
        "Find the memory that says what was true at the time the question asks about",
        "The answer depends on when: find the memory stating what held at that time, not an earlier or later fact",
    ),
    "causal": (
        "Find the memory that explains why the event in the question happened",
        "Retrieve the memory that states the cause, not the one that reports the event itself",
    ),
    "coreference": (
        "Resolve who the question refers to using the conversation so far, then find the memory that answers it",
        "Use the preceding conversation to work out who the question is about, then find the relevant memory",
    ),
    "multi_hop": (
        "The question needs two facts put together: find a memory that supplies one of them",
        "Find the memories that, combined, answer the question",
    ),
    "knowledge_update": (
        "Facts change over time: find the memory with the most recent information the question asks for",
        "Find the memory that gives the current answer, not one that has since been superseded",
    ),
    "single_hop": (
        "Find the memory in which the person said what the question asks",
        "Retrieve the remembered message that states the detail the question is about",
    ),
    "feeling": (
        "Find the memory where the person says how they felt about it",
        "The question is about a feeling or opinion: find the message that expresses it",
    ),
    "aggregation": (
        "The answer is a list gathered over many conversations: find every memory that adds an item to it",
        "Find each memory that mentions one of the things the question asks to list",
    ),
    "speaker_swap": (
        "The question may attribute something to the wrong person: find the memory where it was actually said",
        "Check who really said it: retrieve the memory that settles the question, whoever the speaker is",
    ),
    "unanswerable": (
        "Judge whether the memory actually answers the question; similar wording is not enough",
        "Find the memory that answers the question, if the conversations contain one at all",
    ),
}


def pick_instruction(skill: str, rng: random.Random) -> str:
    return rng.choice(GENERAL + BY_SKILL.get(skill, ()))
