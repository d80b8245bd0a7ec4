#!/usr/bin/env bash
# ONE command for the GPU machine (issue 12): set up, then bench/gpu_check.py (random 0.6B-shaped Qwen3: synthetic
# and recipe-data-path throughput, the real recipe on the default build with finite losses, a table printed last).
# Prepare on the CPU machine, from the project root:
#   ../shared/gpu/wheels.sh                      # the wheels the GPU image lacks, into .whl/
#   make run                                     # the default build: runs/default/dataset (a few MB)
# then run there with carry [".whl", "runs/default/dataset"] and a timeout of ~420 s:
#   bash bench/gpu_check.sh                       # logs and JSON under $OUT (or runs/gpu_check)
# Extra arguments go to bench/gpu_check.py (e.g. --budget-s 300, --set stages.bce.epochs=1).
set -euo pipefail
cd "$(dirname "$0")/.."
if compgen -G ".whl/*.whl" > /dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target .gpu-site .whl/*.whl
  export PYTHONPATH="$PWD/.gpu-site:$PWD${PYTHONPATH:+:$PYTHONPATH}"
else
  export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
python3 -c "import pydantic, datasets, rank_bm25, transformers, torch" \
  || { echo "error: a package is missing (carry .whl from ../shared/gpu/wheels.sh)" >&2; exit 2; }
exec python3 bench/gpu_check.py "$@"
