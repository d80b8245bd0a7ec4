from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from scoring.rerankers import CrossEncoderStudent, Qwen3Student, detect_kind, load_student
from scoring.rerankers.base import STUDENT_FILE
from scoring.rerankers.qwen3 import PREFIX, SUFFIX

TRIPLES = [
    (
        "Judge whether the memory helps",
        "Where did Anna live in June?",
        "[2023-05-01 (Mon) 10:00] Anna: I moved to Porto.",
    ),
    ("Judge", "Who is she?", "Ben: Anna lived in Lyon for years, and she liked it there a lot."),
    ("Given a question", "Conversation so far:\nBen: Who is she?\nWhy?", "no"),
]


def test_qwen3_score_matches_the_model_card_formula(tiny_qwen_dir: Path) -> None:
    student = load_student("qwen3", tiny_qwen_dir)
    tok = AutoTokenizer.from_pretrained(tiny_qwen_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_qwen_dir).eval()
    yes, no = tok.convert_tokens_to_ids("yes"), tok.convert_tokens_to_ids("no")
    assert yes != no
    scores = student.score(TRIPLES, batch_size=2)
    for (instruction, query, doc), got in zip(TRIPLES, scores, strict=True):
        prompt = f"{PREFIX}<Instruct>: {instruction}\n<Query>: {query}\n<Document>: {doc}{SUFFIX}"
        ids = torch.tensor([tok.encode(prompt, add_special_tokens=False)])
        with torch.no_grad():
            last = model(input_ids=ids).logits[0, -1]
        expected = torch.softmax(torch.stack([last[no], last[yes]]), dim=0)[1].item()
        assert got == pytest.approx(expected, abs=1e-5)
    assert len(set(scores)) == len(scores)  # the random model does tell the inputs apart


def test_qwen3_right_padded_batches_without_a_mask_match_single_example_scores(tiny_qwen_dir: Path) -> None:
    student = load_student(None, tiny_qwen_dir)
    assert isinstance(student, Qwen3Student)
    batch = student.encode(TRIPLES)
    assert "attention_mask" not in batch  # causal attention alone: no query row is ever fully masked
    lengths = [len(f["input_ids"]) for f in student.tokenize(TRIPLES)]
    assert batch["last"].tolist() == [n - 1 for n in lengths] and len(set(lengths)) > 1
    assert (batch["input_ids"][:, -1] == student.pad_id).any()  # some rows end with pads on the right
    batched = student.score(TRIPLES, batch_size=len(TRIPLES))
    single = [student.score([t], batch_size=1)[0] for t in TRIPLES]
    assert batched == pytest.approx(single, abs=1e-5)


def test_qwen3_packed_row_gives_the_padded_logits(tiny_qwen_dir: Path) -> None:
    student = load_student("qwen3", tiny_qwen_dir)
    features = student.tokenize(TRIPLES)
    packed = student.collate(features, pack=True)
    assert packed["input_ids"].shape == (1, sum(len(f["input_ids"]) for f in features))
    assert packed["position_ids"][0, packed["last"][0] + 1] == 0  # positions restart at each sequence
    with torch.no_grad():
        a = student.forward(student.model, packed)
        b = student.forward(student.model, student.collate(features))
    assert a.tolist() == pytest.approx(b.tolist(), abs=1e-5)


def test_qwen3_truncates_the_pair_but_keeps_prefix_and_suffix(tiny_qwen_dir: Path) -> None:
    default = load_student("qwen3", tiny_qwen_dir)
    room = len(default.prefix_ids) + len(default.suffix_ids)
    student = load_student("qwen3", tiny_qwen_dir, max_length=room + 10)
    long = ("Judge", "Where?", "Porto " * 500)
    ids = student.encode([long])["input_ids"][0].tolist()
    assert len(ids) == student.max_length
    assert ids[: len(student.prefix_ids)] == student.prefix_ids
    assert ids[-len(student.suffix_ids) :] == student.suffix_ids
    with pytest.raises(ValueError, match="no room"):
        load_student("qwen3", tiny_qwen_dir, max_length=room)


def test_logits_are_differentiable_and_score_is_their_sigmoid(tiny_qwen_dir: Path) -> None:
    student = load_student("qwen3", tiny_qwen_dir)
    logits = student.logits(TRIPLES)
    assert logits.shape == (len(TRIPLES),) and logits.requires_grad
    probs = [1 / (1 + math.exp(-x)) for x in logits.tolist()]
    assert student.score(TRIPLES) == pytest.approx(probs, abs=1e-5)


def test_qwen3_save_and_load_give_identical_scores(tiny_qwen_dir: Path, tmp_path: Path) -> None:
    student = load_student("qwen3", tiny_qwen_dir, max_length=300)
    before = student.score(TRIPLES)
    out = student.save(tmp_path / "saved")
    assert json.loads((out / STUDENT_FILE).read_text()) == {"kind": "qwen3", "max_length": 300}
    again = load_student(None, out)
    assert isinstance(again, Qwen3Student) and again.max_length == 300
    assert again.score(TRIPLES) == before


def test_detect_kind_from_architectures(tiny_qwen_dir: Path, minilm_dir: Path, tmp_path: Path) -> None:
    assert detect_kind(tiny_qwen_dir) == "qwen3"
    assert detect_kind(minilm_dir) == "cross_encoder"  # a BertModel checkpoint, the start of a cross-encoder
    with pytest.raises(ValueError, match=r"no config\.json"):
        detect_kind(tmp_path)
    with pytest.raises(ValueError, match="not one of"):
        load_student("bm25", tiny_qwen_dir)


def test_cross_encoder_from_minilm_scores_in_unit_interval(minilm_dir: Path) -> None:
    student = load_student("cross_encoder", minilm_dir)
    assert isinstance(student, CrossEncoderStudent)
    assert student.model.config.num_labels == 1
    scores = student.score(TRIPLES, batch_size=2)
    assert all(0.0 < s < 1.0 for s in scores)
    enc = student.encode(TRIPLES[:1])
    assert "token_type_ids" in enc and enc["token_type_ids"].max() == 1  # fed as a text pair
