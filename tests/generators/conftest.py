from __future__ import annotations

import pytest

import generators
from schemas import BuildConfig, GeneratedDialogue
from tests.generators.helpers import make_config


@pytest.fixture(scope="session")
def config() -> BuildConfig:
    return make_config(queries_per_skill=2)


@pytest.fixture(scope="session")
def dialogues(config: BuildConfig) -> list[GeneratedDialogue]:
    return [generators.generate_dialogue(config, i) for i in range(8)]
