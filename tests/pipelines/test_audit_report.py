"""`python -m pipelines.audit RUN`: the report page, its figures, audit.json, determinism, bad runs, and a real
headless Chromium rendering the page with its figures."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from PIL import Image

from judges.audit import label_metrics
from judges.consistency import teacher_scores
from pipelines.audit import (
    candidate_table,
    judgment_scores,
    load_run,
    main,
    reliability_bins,
    teacher_labels,
)
from pipelines.build import build
from schemas import load_config
from scoring.metrics import ece

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "configs" / "tiny.toml"
# model-free: scenario and BM25 teachers, BM25 retrieval; the tiny config's 6 dialogues in 3 shards
FAST = [
    'candidates.retrievers=["bm25"]',
    'judge.teachers=[{name="scenario", kind="scenario"}, {name="bm25", kind="bm25"}]',
]
FIGURES = {
    "reliability_pooled",
    "reliability_teachers",
    "reliability_skills",
    "label_histogram",
    "teacher_agreement",
    "position_flips",
}
SECTIONS = ("summary", "teachers", "tiers", "skills", "labels", "browser")
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("audit") / "tiny"
    build(load_config(TINY, FAST), path, quiet=True)
    assert main([str(path)]) == 0
    return path


def _images(page: str) -> dict[str, bytes]:
    found = re.findall(r'<img alt="[^"]*" data-name="([a-z_]+)" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    return {name: base64.b64decode(data) for name, data in found}


def test_page_embeds_every_figure_written_beside_it(run_dir):
    audit = run_dir / "audit"
    page = (audit / "report.html").read_text(encoding="utf-8")
    images = _images(page)
    assert set(images) == FIGURES
    for name, png in images.items():
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        assert (audit / f"{name}.png").read_bytes() == png
    # self-contained: nothing fetched from elsewhere
    assert not re.search(r'(src|href)="(https?:|//|file:)', page)
    assert "<link" not in page and "<script" not in page
    for section in SECTIONS:
        assert f'<section id="{section}">' in page
    assert json.loads((audit / "audit.json").read_text())["pooled"]["n"] > 0
    assert "<th>pooled: precision &gt;= k</th>" in page and "<th>without scenario: share</th>" in page


def test_same_run_same_bytes_and_the_tier_table_is_printed(run_dir, capsys):
    before = {p.name: p.read_bytes() for p in (run_dir / "audit").iterdir()}
    assert main([str(run_dir)]) == 0
    after = {p.name: p.read_bytes() for p in (run_dir / "audit").iterdir()}
    assert after == before
    printed = capsys.readouterr().out
    report = json.loads(before["audit.json"])
    assert f"pooled: ece_graded {report['pooled']['ece_graded']:.3f}" in printed
    assert "share_grade" in printed and "without scenario: share" in printed
    assert len([line for line in printed.splitlines() if re.match(r"^│ [0-4] ", line)]) == 5  # one row per tier


def test_missing_audit_json_is_recomputed_identically(run_dir, tmp_path):
    copy = tmp_path / run_dir.name  # the page names the run folder
    shutil.copytree(run_dir, copy)
    built = (copy / "audit" / "audit.json").read_bytes()
    (copy / "audit" / "audit.json").unlink()
    assert main([str(copy)]) == 0
    assert (copy / "audit" / "audit.json").read_bytes() == built
    assert (copy / "audit" / "report.html").read_bytes() == (run_dir / "audit" / "report.html").read_bytes()


def test_reliability_bins_and_teacher_labels_agree_with_audit_json(run_dir):
    run = load_run(run_dir)
    report = json.loads((run_dir / "audit" / "audit.json").read_text())
    reported = [e for e in run.examples if e.query.dialogue_id not in run.slice_ids]
    assert reported and len(reported) < len(run.examples)  # the calibration slice is left out
    table = candidate_table(reported, {(s.query_id, s.memory_id): s.label for s in run.labels})
    bins = reliability_bins(table)
    assert bins["n"].sum() == table.height == report["pooled"]["n"]
    filled = bins.filter(pl.col("n") > 0)
    from_bins = float((filled["n"] * (filled["mean_label"] - filled["gold_rate"]).abs()).sum() / table.height)
    assert from_bins == pytest.approx(report["pooled"]["ece_graded"], abs=1e-12)  # bins read graded gold
    assert from_bins == pytest.approx(ece(table["label"].to_numpy(), table["grade"].to_numpy() / 4), abs=1e-12)
    for teacher in ("scenario", "bm25"):
        own = label_metrics(reported, teacher_labels(run, reported, teacher))
        assert own["ece"] == pytest.approx(report["per_teacher"][teacher]["ece"], abs=1e-9)
        assert own["auc"] == pytest.approx(report["per_teacher"][teacher]["auc"], abs=1e-9)


def test_judgment_scores_are_the_soft_borda_of_judges(run_dir):
    run = load_run(run_dir)
    scores = judgment_scores(run.judgments)
    ex = run.examples[0]
    ids = [c.memory.memory_id for c in ex.candidates]
    js = [j for j in run.judgments if j.query_id == ex.query.query_id and "__none__" not in (j.first, j.second)]
    for teacher, expected in teacher_scores(js, ids).items():
        got = scores.filter((pl.col("teacher") == teacher) & (pl.col("query_id") == ex.query.query_id))
        got = dict(zip(got["memory_id"], got["vs_candidates"], strict=True))
        assert np.allclose([got[i] for i in ids], expected)
    assert scores["vs_none"].drop_nulls().len() > 0  # the null anchor was judged


def test_browser_shows_seeded_dialogues_with_candidates_and_teachers(run_dir, tmp_path):
    page = (run_dir / "audit" / "report.html").read_text(encoding="utf-8")
    browser = page[page.index('<section id="browser">') :]
    shown = re.findall(r'<details class="dialogue" id="d-([^"]+)"', browser)
    assert len(shown) == 5 and shown == sorted(shown)
    run = load_run(run_dir)
    first = next(e for e in run.examples if e.query.dialogue_id == shown[0])
    assert first.query.text.replace("'", "&#x27;") in browser
    assert browser.count('<tr class="gold_row">') > 0
    assert "<th>scenario</th><th>bm25</th><th>label</th><th>tier</th>" in browser
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    assert main([str(copy), "--dialogues", "2"]) == 0
    again = (copy / "audit" / "report.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<details class="dialogue"', again)) == 2


def test_bad_runs_exit_2_naming_the_file(run_dir, tmp_path, capsys):
    assert main([str(tmp_path / "nowhere")]) == 2
    assert "nowhere: no such run folder" in capsys.readouterr().err

    (tmp_path / "empty").mkdir()
    assert main([str(tmp_path / "empty")]) == 2
    assert "manifest.json: missing" in capsys.readouterr().err

    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    key = json.loads((copy / "manifest.json").read_text())["stage_keys"]["judge"]
    shard = copy / "judge" / key / "shard-00001.jsonl"
    shard.write_text(shard.read_text()[:200])  # truncated mid-record
    assert main([str(copy)]) == 2
    assert "shard-00001.jsonl: 2 records, sha256 " in capsys.readouterr().err  # not what the stage index lists
    shard.unlink()
    assert main([str(copy)]) == 2
    assert "shard-00001.jsonl: missing, the stage index lists it" in capsys.readouterr().err

    (copy / "manifest.json").write_text("{")
    assert main([str(copy)]) == 2
    assert "manifest.json: not valid JSON" in capsys.readouterr().err
    (copy / "manifest.json").write_text("[]")
    assert main([str(copy)]) == 2
    assert "manifest.json: not a JSON object" in capsys.readouterr().err


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--virtual-time-budget=5000"]  # fmt: skip
    return subprocess.run([str(CHROMIUM), *flags, *args], capture_output=True, text=True, timeout=90, check=True)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install -y chromium)")
def test_chromium_renders_the_page_with_its_figures(run_dir, tmp_path):
    # a copy of the page with a probe that writes what the browser decoded into the DOM
    probe = (
        "<script>window.addEventListener('load', () => { for (const img of document.images) "
        "img.setAttribute('data-decoded', img.naturalWidth + 'x' + img.naturalHeight); "
        "document.body.setAttribute('data-loaded', document.images.length); });</script>"
    )
    page = (run_dir / "audit" / "report.html").read_text(encoding="utf-8")
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("</body>", probe + "</body>"), encoding="utf-8")
    dom = _chromium("--dump-dom", probed.as_uri(), profile=tmp_path / "profile").stdout
    assert f'data-loaded="{len(FIGURES)}"' in dom
    decoded = re.findall(r'data-name="([a-z_]+)"[^>]*data-decoded="(\d+)x(\d+)"', dom)
    assert {name for name, _, _ in decoded} == FIGURES
    for name, width, height in decoded:
        assert int(width) > 100 and int(height) > 100, name
    for section in SECTIONS:
        assert f'<section id="{section}">' in dom

    shot = tmp_path / "shot.png"
    _chromium(f"--screenshot={shot}", "--window-size=1280,2400", (run_dir / "audit" / "report.html").as_uri(),
              profile=tmp_path / "profile")  # fmt: skip
    pixels = np.asarray(Image.open(io.BytesIO(shot.read_bytes())).convert("RGB"))
    assert pixels.shape[:2] == (2400, 1280)
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50  # text, tables and plots, not a blank page
    assert (pixels < 128).all(axis=2).mean() > 0.005  # some dark ink
