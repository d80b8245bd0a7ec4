"""bf16 NaN on the GPU (issue 12): left-padded batches with a padding mask give the pad rows nothing to attend to,
and SDPA's fused GPU kernels return NaN for such rows. A CPU cannot run those kernels, so a strict attention
function stands in for them (plain softmax: a fully masked row is NaN); the students must never hand it one.
Then the guard: a non-finite loss stops training naming stage and step, and evaluation refuses NaN scores."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
import torch
from transformers import AttentionInterface, TrainerCallback

from schemas import ScoredCase
from scoring.rerankers import load_student
from tests.train.test_students import TRIPLES
from train import distill
from train.engine import NonFiniteError
from train.evaluate import check_finite


def strict_attention(module, query, key, value, attention_mask, scaling=None, dropout=0.0, **kwargs):
    """Eager attention with a plain softmax: NaN for a query row with no key to attend to, in forward and backward."""
    groups = query.shape[1] // key.shape[1]
    key, value = key.repeat_interleave(groups, dim=1), value.repeat_interleave(groups, dim=1)
    scores = query @ key.transpose(2, 3) * (scaling or query.shape[-1] ** -0.5)
    q_len, k_len = scores.shape[-2:]
    allowed = torch.ones(q_len, k_len, dtype=torch.bool, device=query.device).tril(k_len - q_len)
    if attention_mask is not None:
        allowed = attention_mask if attention_mask.dtype == torch.bool else attention_mask == 0
    weights = torch.softmax(scores.float().masked_fill(~allowed, float("-inf")), dim=-1).to(query.dtype)
    return (weights @ value).transpose(1, 2).contiguous(), weights


AttentionInterface.register("strict_test", strict_attention)


def _strict_student(path: Path):
    student = load_student("qwen3", path)
    try:
        from transformers import AttentionMaskInterface
        from transformers.masking_utils import sdpa_mask

        AttentionMaskInterface.register("strict_test", sdpa_mask)
    except ImportError:
        pass
    student.model.set_attn_implementation("strict_test")
    return student


def _grads_finite(model: torch.nn.Module) -> bool:
    return all(p.grad is None or bool(torch.isfinite(p.grad).all()) for p in model.parameters())


def test_left_padding_with_a_mask_gives_nan_grads_under_strict_attention(tiny_qwen_dir: Path) -> None:
    """The harness shows the fault: the old batches (left pads, padding mask) poison every gradient."""
    student = _strict_student(tiny_qwen_dir)
    tok = student.tokenizer
    tok.padding_side = "left"
    batch = tok.pad(student.tokenize(TRIPLES), padding=True, return_tensors="pt")
    assert (batch["attention_mask"][:, 0] == 0).any()
    logits = student.model(**batch, use_cache=False).logits[:, -1]
    logits[:, student.token_true_id].sum().backward()
    assert not _grads_finite(student.model)


def test_student_batches_keep_gradients_finite_under_strict_attention(tiny_qwen_dir: Path) -> None:
    student = _strict_student(tiny_qwen_dir)
    for pack in (False, True):
        student.model.zero_grad()
        batch = student.collate(student.tokenize(TRIPLES), pack=pack)
        student.forward(student.model, batch).sum().backward()
        assert _grads_finite(student.model), f"pack={pack}"


class PoisonAt(TrainerCallback):
    """Turns one weight into NaN after optimizer step `step`, so the next step's loss is NaN."""

    def __init__(self, step: int):
        self.step = step

    def on_step_end(self, args, state, control, model=None, **kwargs):
        if state.global_step == self.step:
            with torch.no_grad():
                next(model.parameters()).fill_(float("nan"))


def test_a_nan_loss_stops_training_naming_stage_and_step(
    tiny_qwen_dir: Path, toy_dataset_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    monkeypatch.setattr(distill, "run", functools.partial(distill.run, callbacks=[PoisonAt(2)]))
    out = tmp_path / "student"
    argv = ["--data", str(toy_dataset_dir), "--student", "qwen3", "--model", str(tiny_qwen_dir), "--out", str(out)]
    argv += ["--max-steps", "6", "--batch-size", "4", "--save-steps", "1"]
    assert distill.main(argv) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == "error: stage bce: non-finite loss at step 3"
    assert not (out / "config.json").exists() and not (out / "README.md").exists()
    assert not (out / distill.SUMMARY_FILE).exists()


def test_run_raises_on_a_nan_gradient(tiny_qwen_dir: Path, toy_dataset_dir: Path, tmp_path: Path) -> None:
    class NanGrad(TrainerCallback):
        def on_pre_optimizer_step(self, args, state, control, model=None, **kwargs):
            next(p for p in model.parameters() if p.grad is not None).grad.fill_(float("nan"))

    config = distill.config_from_flags(
        distill.parse_args(["--data", "x", "--out", "y", "--student", "qwen3", "--max-steps", "2"])
    ).model_copy(update={"model": str(tiny_qwen_dir)})
    with pytest.raises(NonFiniteError, match=r"^stage bce: non-finite gradient \(norm nan\) at step 1$"):
        distill.run(config, toy_dataset_dir, tmp_path / "o", callbacks=[NanGrad()])


def test_evaluate_refuses_nan_scores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_finite([ScoredCase(case_id="a", scores={"m1": 0.5})])
    with pytest.raises(ValueError, match=r"case 'b': non-finite score for candidates \['m2'\]"):
        check_finite([ScoredCase(case_id="b", scores={"m1": 0.5, "m2": float("nan")})])
    cases = tmp_path / "cases.jsonl"
    case = {"case_id": "b", "query": "q?", "candidates": [{"id": "m1", "text": "x"}, {"id": "m2", "text": "y"}]}
    cases.write_text(json.dumps({**case, "positives": ["m1"]}) + "\n")
    scores = tmp_path / "scores.jsonl"
    scores.write_text(json.dumps({"case_id": "b", "scores": {"m1": 0.5, "m2": float("nan")}}) + "\n")
    from train import evaluate

    code = evaluate.main(["--scores", str(scores), "--cases", str(cases), "--out", str(tmp_path / "r.json")])
    assert code == 2
    assert "case 'b': non-finite score" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()
