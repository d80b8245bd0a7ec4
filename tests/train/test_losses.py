from __future__ import annotations

import math

import pytest
import torch

from train.losses import bce_soft, info_nce


def test_bce_soft_by_hand() -> None:
    logits = torch.tensor([0.0, 2.0])
    labels = torch.tensor([0.5, 0.9])
    p = 1 / (1 + math.exp(-2.0))
    expected = (math.log(2) + -(0.9 * math.log(p) + 0.1 * math.log(1 - p))) / 2
    assert bce_soft(logits, labels).item() == pytest.approx(expected, rel=1e-6)


def test_bce_soft_is_smallest_at_the_label() -> None:
    label = torch.tensor([0.8])
    best = torch.logit(label)
    assert bce_soft(best, label) < bce_soft(best + 0.5, label)
    assert bce_soft(best, label) < bce_soft(best - 0.5, label)


def test_bce_soft_rejects_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match="differ in shape"):
        bce_soft(torch.zeros(3), torch.zeros(3, 1))


def test_info_nce_by_hand() -> None:
    logits = torch.tensor([[2.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
    positive = torch.tensor([0, 2])
    first = -math.log(math.exp(2) / (math.exp(2) + 2))
    second = -math.log(math.e / (1 + 2 * math.e))
    assert info_nce(logits, positive).item() == pytest.approx((first + second) / 2, rel=1e-6)
    assert info_nce(logits, positive, temperature=0.5).item() == pytest.approx(
        info_nce(logits * 2, positive).item(), rel=1e-6
    )
