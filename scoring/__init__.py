"""What scores a (query, memory) pair or a list of scores, shared by every stage; imports nothing but `schemas`.

- `scoring.text`: the one word tokenizer and stop list.
- `scoring.lexical`: one BM25 over a candidate set.
- `scoring.embedding`: one cached sentence-embedding encoder (each text encoded once per process).
- `scoring.metrics`: ranking metrics (MAP, MRR, NDCG, recall) and calibration metrics (the one ECE, Brier, AUC).
- `scoring.rerankers`: the student rerankers (cross-encoder, Qwen3-Reranker), read by the local model teachers and
  trained by `train`.
"""
