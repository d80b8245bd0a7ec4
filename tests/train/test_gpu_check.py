"""The prepared GPU check (bench/gpu_check.sh -> bench/gpu_check.py) runs end to end, tiny, on a CPU."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import gpu_check


def test_gpu_check_runs_tiny_on_cpu(toy_dataset_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    argv = ["--tiny", "--data", str(toy_dataset_dir), "--work", str(tmp_path / "out"), "--scratch", str(tmp_path)]
    code = gpu_check.main([*argv, "--budget-s", "600"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.strip().splitlines()[-1].startswith("GPU CHECK PASSED")
    rows = {r["run"].split(" (")[0]: r for r in json.loads((tmp_path / "out" / "gpu_check.json").read_text())["rows"]}
    assert {"synthetic bce 4x32", "recipe bce", "recipe infonce", "distill bce", "distill infonce"} <= set(rows)
    assert rows["distill infonce"]["tokens_per_s"] > 0 and "->" in rows["distill bce"]["loss"]
    assert (tmp_path / "out" / "student_README.md").is_file()  # the model card of a finite run
    assert not (tmp_path / "out" / "model").exists()  # models stay out of the folder that travels back


def test_gpu_check_needs_a_dataset(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert gpu_check.main(["--tiny", "--data", str(tmp_path / "none"), "--work", str(tmp_path)]) == 2
    assert "no saved DatasetDict" in capsys.readouterr().err
