"""Students, losses, distillation, scoring and evaluation of rerankers.

- `train.data`: dataset rows and case files -> `RerankCase`s -> (instruction, query side, document) triples,
  rendered exactly as judging renders them.
- `train.students`: the Qwen3-Reranker student and the cross-encoder student behind one interface
  (`load_student(kind, path)` -> `logits(triples)` for training, `score(triples)` for inference).
- `train.losses`: BCE on soft labels (stage 1), InfoNCE.
- `train.metrics`: MAP, MRR@10, NDCG@10, Recall@k as pure functions.
- `train.locomo`: the public LoCoMo JSON as reranking cases, quirks repaired and counted.
- CLIs: `python -m train.distill`, `python -m train.score`, `python -m train.evaluate`.
"""
