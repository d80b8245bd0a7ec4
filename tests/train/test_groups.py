from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from datasets import load_from_disk

from schemas import RowCandidate
from tests.train.toy_data import toy_rows
from train.card import target_words
from train.config import TrainConfigError, parse_train_config
from train.data import read_rows
from train.distill import load_sources
from train.groups import (
    DIALOGUE_ORIGIN,
    infonce_groups,
    pointwise_examples,
    sharpened,
    weighted,
    with_dialogue_negatives,
)
from train.losses import group_loss


def _cand(mid: str, gold: int, label: float, origin: str) -> RowCandidate:
    return RowCandidate(
        memory_id=mid, text=f"memory {mid}", speaker=None, timestamp=None, gold=gold, label=label, tier=0, origin=origin
    )


def test_groups_put_the_positive_first_and_prefer_constructed_negatives() -> None:
    row = toy_rows(1)[0].model_copy(
        update={
            "candidates": [
                _cand("r1", 0, 0.30, "retrieved:bm25"),
                _cand("p1", 1, 0.95, "evidence"),
                _cand("c1", 0, 0.05, "constructed:superseded"),
                _cand("c2", 0, 0.20, "constructed:wrong_referent"),
                _cand("r2", 0, 0.40, "retrieved:embedding"),
                _cand("p2", 1, 0.90, "evidence"),
                _cand("x", 0, 0.70, "retrieved:bm25"),  # the teachers call it relevant: no negative
                _cand("p3", 1, 0.20, "evidence"),  # the teachers disagree with gold: no positive
            ]
        }
    )
    groups = infonce_groups([row], negatives=3)
    assert len(groups) == 2
    first = groups[0]
    assert first["documents"] == ["memory p1", "memory c2", "memory c1", "memory r2"]
    assert first["labels"] == [0.95, 0.20, 0.05, 0.40]
    assert groups[1]["documents"][0] == "memory p2" and groups[1]["documents"][1:] == first["documents"][1:]
    assert first["query"].endswith("Where did Anna live in June? (0)")
    # a row with no gold (unanswerable) gives no group
    no_gold = row.model_copy(update={"candidates": [_cand("a", 0, 0.1, "retrieved:bm25")]})
    assert infonce_groups([no_gold], negatives=3) == []


def test_weighted_mixing_is_whole_copies_plus_a_seeded_sample() -> None:
    rows = toy_rows(10)
    assert len(weighted(rows, 1.0, 0, "main")) == 10
    mixed = weighted(rows, 2.5, 0, "general")
    assert len(mixed) == 25 and mixed[:20] == rows + rows
    assert weighted(rows, 0.3, 0, "general") == weighted(rows, 0.3, 0, "general")
    assert weighted(rows, 0.3, 0, "general") != weighted(rows, 0.3, 1, "general")
    assert len(pointwise_examples(rows[:2])) == 6


def test_group_loss_by_hand_with_a_short_group() -> None:
    logits = torch.tensor([[2.0, 0.0, 1.0], [0.5, -1.0, 99.0]])
    mask = torch.tensor([[True, True, True], [True, True, False]])
    labels = torch.tensor([[0.9, 0.1, 0.2], [0.8, 0.3, 0.0]])
    out = group_loss(logits, mask, labels, temperature=0.5)
    first = -math.log(math.exp(4) / (math.exp(4) + 1 + math.exp(2)))
    second = -math.log(math.exp(1) / (math.exp(1) + math.exp(-2)))  # the masked 99 does not count
    assert out["infonce"].item() == pytest.approx((first + second) / 2, rel=1e-6)
    assert out["loss"].item() == pytest.approx(out["infonce"].item())


def test_group_loss_kl_is_zero_when_the_student_matches_the_teachers() -> None:
    labels = torch.tensor([[0.9, 0.1, 0.3]])
    mask = torch.ones(1, 3, dtype=torch.bool)
    logits = torch.logit(labels)
    out = group_loss(logits.clone().requires_grad_(), mask, labels, kl_weight=1.0, bce_weight=1.0)
    assert out["kl"].item() == pytest.approx(0.0, abs=1e-6)
    assert out["loss"].item() == pytest.approx(out["infonce"].item() + out["bce"].item(), rel=1e-6)
    shifted = group_loss(logits * 2, mask, labels, kl_weight=1.0)
    assert shifted["kl"].item() > 0.01
    # masked members get no gradient and produce no NaN
    x = torch.tensor([[1.0, 0.0, 5.0]], requires_grad=True)
    group_loss(x, torch.tensor([[True, True, False]]), labels, kl_weight=1.0, bce_weight=1.0)["loss"].backward()
    assert torch.isfinite(x.grad).all() and x.grad[0, 2] == 0
    with pytest.raises(ValueError, match="column 0"):
        group_loss(logits, torch.tensor([[False, True, True]]), labels)


def test_dialogue_negatives_come_from_other_queries_of_the_same_dialogue() -> None:
    base = toy_rows(1)[0]
    a = base.model_copy(
        update={
            "query_id": "qa",
            "candidates": [_cand("p1", 1, 0.9, "evidence"), _cand("c1", 0, 0.1, "constructed:superseded")],
        }
    )
    b = base.model_copy(
        update={
            "query_id": "qb",
            "candidates": [
                _cand("p2", 1, 0.9, "evidence"),
                _cand("c1", 0, 0.2, "constructed:superseded"),
                _cand("r9", 0, 0.3, "retrieved:bm25"),
            ],
        }
    )
    other = base.model_copy(update={"query_id": "qc", "dialogue_id": "elsewhere",
                                    "candidates": [_cand("z", 1, 0.9, "evidence")]})  # fmt: skip
    out = with_dialogue_negatives([a, b, other], 5, seed=3)
    extra = {r.query_id: [c for c in r.candidates if c.origin == DIALOGUE_ORIGIN] for r in out}
    # qa gets b's candidates it does not hold (never its own c1 twice, never another dialogue's), as label-0 negatives
    assert sorted(c.memory_id for c in extra["qa"]) == ["p2", "r9"]
    assert all(c.gold == 0 and c.label == 0.0 for c in extra["qa"])
    assert sorted(c.memory_id for c in extra["qb"]) == ["p1"] and extra["qc"] == []
    assert out[0].candidates[:2] == a.candidates  # the row's own candidates untouched
    # other queries' evidence comes first: with room for one, qa always gets b's evidence p2, never r9
    for seed in range(5):
        one = with_dialogue_negatives([a, b, other], 1, seed=seed)[0]
        assert [c.memory_id for c in one.candidates if c.origin == DIALOGUE_ORIGIN] == ["p2"]
    assert with_dialogue_negatives([a, b, other], 1, seed=3) == with_dialogue_negatives([a, b, other], 1, seed=3)
    assert with_dialogue_negatives([a, b], 0, seed=3) == [a, b]
    # InfoNCE: hard negatives up to `negatives`, then every easy one
    group = infonce_groups(out[:1], negatives=1)[0]
    assert group["documents"][:2] == ["memory p1", "memory c1"] and len(group["documents"]) == 4
    assert group["labels"][2:] == [0.0, 0.0]


def test_label_sharpness_widens_the_gaps_between_grades_in_the_same_order(toy_dataset_dir: Path) -> None:
    config = parse_train_config({"label_sharpness": 3.0, "stages": [{"name": "a", "loss": "bce"}]})
    plain = read_rows(load_from_disk(str(toy_dataset_dir))["train"])
    main = load_sources(config, toy_dataset_dir)["main"]
    assert [c.label for c in plain[0].candidates] == pytest.approx([0.1, 0.9, 0.2])
    # sigmoid(3 * logit(label)): 0.1 -> 0.00137, 0.9 -> 0.99863, 0.2 -> 0.0154
    assert [c.label for c in main[0].candidates] == pytest.approx([0.00137, 0.99863, 0.01538], abs=1e-5)
    for before, after in zip(plain, main, strict=True):
        old, new = [c.label for c in before.candidates], [c.label for c in after.candidates]
        assert sorted(range(len(old)), key=old.__getitem__) == sorted(range(len(new)), key=new.__getitem__)
        assert [c.grade for c in after.candidates] == [c.grade for c in before.candidates]
    assert [sharpened(x, 3.0) for x in (0.0, 0.5, 1.0)] == [0.0, 0.5, 1.0]
    assert sharpened(0.3, 1.0) == pytest.approx(0.3)
    assert sharpened(1e-6, 100.0) == 0.0 and sharpened(1 - 1e-6, 100.0) == 1.0  # far past exp's range: no overflow
    with pytest.raises(TrainConfigError, match="label_sharpness: applies to target"):
        parse_train_config({"target": "gold", "label_sharpness": 3.0, "stages": [{"name": "a", "loss": "bce"}]})


def test_gold_weight_mixes_the_hard_label_into_the_target_and_keeps_the_grades_below_it(toy_dataset_dir: Path) -> None:
    config = parse_train_config({"gold_weight": 0.5, "stages": [{"name": "a", "loss": "bce"}]})
    plain = read_rows(load_from_disk(str(toy_dataset_dir))["train"])
    main = load_sources(config, toy_dataset_dir)["main"]
    for before, after in zip(plain, main, strict=True):
        for old, new in zip(before.candidates, after.candidates, strict=True):
            assert new.label == pytest.approx(0.5 * old.gold + 0.5 * old.label)
            assert (new.gold, new.grade) == (old.gold, old.grade)
    # the toy row: gold on the 0.9 candidate; the two negatives keep their order (0.1 < 0.2) under it
    assert [c.label for c in main[0].candidates] == pytest.approx([0.05, 0.95, 0.1])
    sharp = load_sources(parse_train_config({**config.model_dump(), "label_sharpness": 3.0}), toy_dataset_dir)["main"]
    assert [c.label for c in sharp[0].candidates] == pytest.approx([0.000685, 0.999315, 0.00769], abs=1e-5)
    # the model card names what was fitted
    assert target_words(config) == "the teachers' graded soft labels, mixed with binary gold at weight 0.5"
    assert target_words(parse_train_config({"target": "gold", "stages": [{"name": "a", "loss": "bce"}]})).startswith(
        "binary gold"
    )
    with pytest.raises(TrainConfigError, match="gold_weight: applies to target"):
        parse_train_config({"target": "gold", "gold_weight": 0.5, "stages": [{"name": "a", "loss": "bce"}]})
    with pytest.raises(TrainConfigError, match="gold_weight"):
        parse_train_config({"gold_weight": 1.5, "stages": [{"name": "a", "loss": "bce"}]})
