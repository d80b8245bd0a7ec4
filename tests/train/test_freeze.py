"""engine.freeze_layers: the lowest layers keep their pretrained weights."""

from __future__ import annotations

import pytest
import torch
from transformers import BertConfig, BertForSequenceClassification

from train.config import parse_train_config
from train.engine import freeze_lowest_layers


def test_lowest_layers_are_frozen_and_the_rest_train():
    config = BertConfig(vocab_size=40, hidden_size=8, num_hidden_layers=3, num_attention_heads=2, intermediate_size=16)
    model = BertForSequenceClassification(config)
    assert freeze_lowest_layers(model, 2) > 0
    trainable = {name for name, p in model.named_parameters() if p.requires_grad}
    assert not any(".layer.0." in n or ".layer.1." in n for n in trainable)
    assert any(".layer.2." in n for n in trainable) and "classifier.weight" in trainable
    assert any("embeddings" in n for n in trainable)  # freeze_embeddings is its own switch


def test_a_model_without_layers_is_named():
    with pytest.raises(ValueError, match="freeze_layers = 1"):
        freeze_lowest_layers(torch.nn.Linear(2, 1), 1)
    config = parse_train_config({"engine": {"freeze_layers": 3}, "stages": [{"name": "a", "loss": "bce"}]})
    assert config.engine.freeze_layers == 3
