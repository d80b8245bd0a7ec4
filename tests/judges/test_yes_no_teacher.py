"""The local yes/no teacher on a tiny random Qwen3: p(yes) equals the hand computation on the exact prompt."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

from transformers import AutoModelForCausalLM, AutoTokenizer

from judges import judge
from judges.anchor import NULL_ID
from judges.teachers.local_model import model_scores
from schemas import (
    QWEN3_RERANKER_PREFIX,
    QWEN3_RERANKER_SUFFIX,
    JudgeConfig,
    TeacherConfig,
    render_memory,
    render_query,
)
from tests.judges.toy import guitar, porto
from tests.train.tiny_qwen import build_tiny_qwen


@pytest.fixture(scope="module")
def tiny_qwen(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(build_tiny_qwen(tmp_path_factory.mktemp("tiny_qwen_teacher")))


def test_p_yes_matches_the_model_card_formula_on_the_exact_prompt(tiny_qwen):
    ex = guitar()
    (scores,) = model_scores([ex], "yes_no", tiny_qwen)
    tok = AutoTokenizer.from_pretrained(tiny_qwen)
    model = AutoModelForCausalLM.from_pretrained(Path(tiny_qwen)).eval()
    yes, no = tok.convert_tokens_to_ids("yes"), tok.convert_tokens_to_ids("no")
    q = ex.query
    for candidate, got in zip(ex.candidates, scores, strict=True):
        prompt = (
            f"{QWEN3_RERANKER_PREFIX}<Instruct>: {q.instruction}\n"
            f"<Query>: {render_query(q.text, q.context, q.query_time)}\n"
            f"<Document>: {render_memory(candidate.memory)}{QWEN3_RERANKER_SUFFIX}"
        )
        ids = torch.tensor([tok.encode(prompt, add_special_tokens=False)])
        with torch.no_grad():
            last = model(input_ids=ids).logits[0, -1]
        expected = torch.softmax(torch.stack([last[no], last[yes]]), dim=0)[1].item()
        assert got == pytest.approx(expected, abs=1e-5)
    assert len(set(np.round(scores, 7))) == len(scores)


def test_batched_equals_unbatched_with_left_padding(tiny_qwen):
    examples = [porto(), guitar()]
    batched = model_scores(examples, "yes_no", tiny_qwen, batch_size=16)
    single = model_scores(examples, "yes_no", tiny_qwen, batch_size=1)
    for a, b in zip(batched, single, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_yes_no_teacher_judges_candidate_pairs_only(tiny_qwen):
    ex = porto()
    config = JudgeConfig(teachers=[TeacherConfig(name="qwen", kind="yes_no", model=tiny_qwen)])
    js = judge([ex], config, seed=0)
    n = len(ex.candidates)
    assert len(js) == n * (n - 1) and not any(NULL_ID in (j.first, j.second) for j in js)
    p = {(j.first, j.second): j.p_first for j in js}
    assert all(p[(a, b)] + p[(b, a)] == pytest.approx(1.0) for a, b in p)
    assert judge([ex], config, seed=0) == js
