"""Students, losses, distillation, scoring and evaluation of rerankers."""
