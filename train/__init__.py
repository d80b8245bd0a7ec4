"""Students, losses, distillation, scoring and evaluation of rerankers.

- `train.data`: dataset rows and case files -> `RerankCase`s -> (instruction, query side, document) triples,
  rendered exactly as judging renders them.
- `scoring.rerankers`: the Qwen3-Reranker student and the cross-encoder student behind one interface
  (`load_student(kind, path)` -> `logits(triples)` for training, `score(triples)` for inference).
- `train.config`: the TOML training config (stages, data mix, engine, LoRA, evaluation).
- `train.groups`: weighted mixing, pointwise examples and InfoNCE groups (positive + hard negatives), collators.
- `train.losses`: BCE on soft labels (stage 1), InfoNCE with optional KL to the teachers and BCE (stage 2).
- `train.engine`: the transformers Trainer with our losses; LoRA through peft; resume from checkpoints.
- `scoring.metrics`: MAP, MRR@10, NDCG@10, Recall@k, ECE, Brier, precision/recall at a threshold.
- `train.baselines`: BM25 and embedding-model scorers on the same cases.
- `train.locomo`: the public LoCoMo JSON as reranking cases (turns, summaries or observations; fixed pools).
- `train.card`: the model card with the evaluation.
- CLIs: `python -m train.distill`, `python -m train.score`, `python -m train.evaluate`.
"""
