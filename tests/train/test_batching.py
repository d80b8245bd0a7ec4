from __future__ import annotations

import random
from pathlib import Path

import pytest
from datasets import load_from_disk

from scoring.rerankers import load_student
from train.batching import batch_cost, padding_share, token_budget_batches
from train.config import EngineConfig, StageConfig
from train.data import read_rows
from train.engine import train_stage
from train.groups import infonce_groups, pointwise_examples, tokenized, unit_lengths


def _lengths(n: int, seed: int = 0) -> list[list[int]]:
    rng = random.Random(seed)
    return [[rng.randint(20, 300)] for _ in range(n)]


@pytest.mark.parametrize("packed", [False, True])
def test_batches_cover_every_unit_once_within_the_budget(packed: bool) -> None:
    lengths = [*_lengths(500), [3000]]  # one unit longer than the budget: a batch of its own
    batches = token_budget_batches(lengths, max_tokens=2048, packed=packed)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert [500] in batches
    for b in batches:
        assert len(b) == 1 or batch_cost([lengths[i] for i in b], packed) <= 2048
    assert batches == token_budget_batches(lengths, max_tokens=2048, packed=packed)  # deterministic


def test_grouping_by_length_wastes_little_padding() -> None:
    lengths = _lengths(2000)
    by_length = token_budget_batches(lengths, max_tokens=8192)
    assert padding_share(by_length, lengths, packed=False) < 0.05
    arrival = [list(range(i, min(i + 32, len(lengths)))) for i in range(0, len(lengths), 32)]
    assert padding_share(arrival, lengths, packed=False) > 0.3  # fixed-count batches in arrival order
    assert padding_share(by_length, lengths, packed=True) == 0.0


def test_groups_stay_whole_and_max_units_caps_a_batch() -> None:
    groups = [[100, 120, 90], [50, 60], [300, 20, 20, 20]]
    assert batch_cost(groups[:2], packed=False) == 5 * 120 and batch_cost(groups[:2], packed=True) == 420
    batches = token_budget_batches(groups, max_tokens=10_000, max_units=2)
    assert batches == [[1, 0], [2]]


def test_token_budget_stage_trains_on_prepared_batches(tiny_qwen_dir: Path, toy_dataset_dir: Path, tmp_path: Path):
    student = load_student("qwen3", tiny_qwen_dir)
    rows = read_rows(load_from_disk(str(toy_dataset_dir))["train"])
    for loss, examples in (("bce", pointwise_examples(rows)), ("infonce", infonce_groups(rows, 2))):
        units = tokenized(student, examples)
        budget = 3 * max(max(u) for u in unit_lengths(units))
        stage = StageConfig(name=loss, loss=loss, max_tokens=budget, batch_size=64, lr=1e-3, epochs=1)
        expected = len(token_budget_batches(unit_lengths(units), budget, 64, packed=True))
        engine = EngineConfig(packing=True, logging_steps=1)
        trainer, _ = train_stage(student, stage, engine, examples, tmp_path / loss, seed=1)
        assert trainer.state.global_step == expected
        assert all(e["loss"] == e["loss"] for e in trainer.state.log_history if "loss" in e)  # no NaN


def test_packing_is_automatic_only_where_the_attention_reads_packed_rows(tiny_qwen_dir: Path, minilm_dir: Path):
    from train.engine import use_packing

    student = load_student("qwen3", tiny_qwen_dir)
    assert use_packing(student, EngineConfig()) is False  # sdpa: a packed row would need a dense block mask
    student.model.config._attn_implementation = "flash_attention_2"
    assert use_packing(student, EngineConfig()) is True
    assert use_packing(student, EngineConfig(packing=False)) is False
    with pytest.raises(ValueError, match=r"engine\.packing: the cross_encoder student cannot pack"):
        use_packing(load_student("cross_encoder", minilm_dir), EngineConfig(packing=True))


def test_the_shipped_probe_trains_the_head_alone_on_token_budget_batches(
    minilm_dir: Path, toy_dataset_dir: Path, tmp_path: Path
):
    """configs/train.toml's first stage: the MiniLM cross-encoder with an embedding prior, `train = "head"`, padded
    token-budget batches. One step per prepared batch; the head learns, no encoder weight moves."""
    from scoring.rerankers.prior import EmbeddingPrior

    student = load_student("cross_encoder", minilm_dir)
    student.prior = EmbeddingPrior(encoder=str(minilm_dir))
    examples = pointwise_examples(read_rows(load_from_disk(str(toy_dataset_dir))["train"]))
    lengths = unit_lengths(tokenized(student, examples))
    budget = 4 * max(max(u) for u in lengths)
    stage = StageConfig(name="probe", loss="bce", train="head", max_tokens=budget, batch_size=16, lr=1e-2, epochs=1)
    head = {id(p) for p in student.head().parameters()}
    before = {n: p.detach().clone() for n, p in student.model.named_parameters() if id(p) not in head}
    trainer, _ = train_stage(student, stage, EngineConfig(logging_steps=1), examples, tmp_path / "probe", seed=1)
    assert trainer.state.global_step == len(token_budget_batches(lengths, budget, 16)) > 1
    assert float(student.head().weight.detach().abs().sum()) > 0  # zeroed by the prior's fit, then trained
    moved = [n for n, p in student.model.named_parameters() if id(p) not in head and not p.detach().equal(before[n])]
    assert moved == []
