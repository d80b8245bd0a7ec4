"""The embedding prior: a cross-encoder whose logit keeps its start's embedding cosine (scoring.rerankers.prior)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch
from datasets import Dataset, DatasetDict

from schemas import DatasetRow, RowCandidate
from scoring.rerankers import CrossEncoderStudent, load_student
from scoring.rerankers.calibration import fit_logistic
from scoring.rerankers.prior import PRIOR_DIR, EmbeddingPrior
from train import distill
from train.baselines import embedding_scores
from train.config import TrainConfigError, parse_train_config
from train.data import case_triples, read_rows, rows_to_cases
from train.floor import interpolate_to_floor, interpolation_line, stalled
from train.groups import pointwise_examples, tokenized

PEOPLE = ("Anna", "Ben", "Cleo", "Dev", "Esme", "Farid", "Gus", "Hana", "Ivo", "Jia", "Kai", "Lena")
CITIES = ("Porto", "Lyon", "Oslo", "Kyoto", "Quito", "Perth")


def _row(i: int) -> DatasetRow:
    """Where did X live? The gold turn says so in the question's words: MiniLM's cosine ranks it first."""
    who, city = PEOPLE[i % len(PEOPLE)], CITIES[i % len(CITIES)]
    texts = [
        (f"In June {who} lived in {city}, close to the old harbour.", 1, 0.9),
        (f"{PEOPLE[(i + 3) % len(PEOPLE)]} bought a red bicycle for the commute.", 0, 0.1),
        ("The weather was cold and grey all week.", 0, 0.05),
    ]
    return DatasetRow(
        query_id=f"q{i}",
        dialogue_id=f"d{i}",
        skill="temporal",
        instruction="Given a question about a past conversation, judge whether the memory helps answer it",
        query=f"Where did {who} live in June?",
        context=[],
        query_time="2023-07-01T10:00:00",
        answer=city,
        candidates=[
            RowCandidate(
                memory_id=f"m{j}",
                text=t,
                speaker=None,
                timestamp=f"2023-06-0{j + 1}T09:00:00",
                gold=g,
                label=label,
                tier=4 if g else 0,
                origin="evidence" if g else "retrieved:bm25",
            )
            for j, (t, g, label) in enumerate(texts)
        ],
    )


@pytest.fixture(scope="module")
def matching_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """train 8, validation 4, test 4 queries on which the start's embeddings rank every gold first."""
    splits = {"train": range(8), "validation": range(8, 12), "test": range(12, 16)}
    out = tmp_path_factory.mktemp("matching")
    DatasetDict(
        {k: Dataset.from_list([_row(i).model_dump(mode="json") for i in ids]) for k, ids in splits.items()}
    ).save_to_disk(str(out))
    return out


def _cases(data: Path, split: str) -> list:
    from datasets import load_from_disk

    return rows_to_cases(load_from_disk(str(data))[split], name=split)


def _started(minilm_dir: Path, data: Path) -> CrossEncoderStudent:
    """A MiniLM cross-encoder with a new prior, fitted on the train split's labels as the first stage does."""
    torch.manual_seed(0)
    student = load_student("cross_encoder", minilm_dir, max_length=64)
    assert isinstance(student, CrossEncoderStudent)
    student.prior = EmbeddingPrior(encoder=str(minilm_dir))
    from datasets import load_from_disk

    units = tokenized(student, pointwise_examples(read_rows(load_from_disk(str(data))["train"])))
    student.start_prior([u["features"][0] for u in units], [u["label"] for u in units])
    return student


def test_fit_prior_recovers_a_logistic_model_and_never_inverts_the_cosine() -> None:
    xs = [i / 50 - 0.5 for i in range(101)]
    labels = [1 / (1 + math.exp(-(7.0 * x - 1.5))) for x in xs]
    weight, bias = fit_logistic(xs, labels)
    assert weight == pytest.approx(7.0, abs=1e-6) and bias == pytest.approx(-1.5, abs=1e-6)
    inverted = [1 - y for y in labels]  # labels that fall as the cosine rises: weight 0, the labels' mean
    weight, bias = fit_logistic(xs, inverted)
    assert weight == 0.0
    mean = sum(inverted) / len(inverted)
    assert bias == pytest.approx(math.log(mean / (1 - mean)))
    with pytest.raises(ValueError, match="2 values and 1 targets"):
        fit_logistic([0.1, 0.2], [1.0])


def test_a_new_prior_starts_as_the_start_embeddings_calibrated(minilm_dir: Path, matching_dir: Path) -> None:
    student = _started(minilm_dir, matching_dir)
    prior = student.prior
    assert prior is not None and prior.weight is not None and prior.weight > 0
    cases = _cases(matching_dir, "test")
    cosines = embedding_scores(cases, minilm_dir)  # the baseline reads the undated texts, as the prior does
    for case, base in zip(cases, cosines, strict=True):
        ours = student.score(case_triples(case))
        expected = [1 / (1 + math.exp(-(prior.weight * base.scores[c.id] + prior.bias))) for c in case.candidates]
        assert ours == pytest.approx(expected, abs=1e-5)  # the zeroed head adds nothing at step 0
        assert max(range(len(ours)), key=ours.__getitem__) == 0  # the gold first, as the embeddings rank it


def test_a_saved_prior_loads_back_whole_and_a_missing_encoder_is_named(
    minilm_dir: Path, matching_dir: Path, tmp_path: Path
) -> None:
    student = _started(minilm_dir, matching_dir)
    with torch.no_grad():  # a head that is not zero any more: the saved logit is cross-encoder + prior
        student.model.classifier.weight.normal_(0, 0.5)
    triples = case_triples(_cases(matching_dir, "test")[0])
    out = student.save(tmp_path / "student")
    settings = json.loads((out / "memdistill_student.json").read_text())
    assert settings["embedding_prior"] == {"weight": student.prior.weight, "bias": student.prior.bias, "share": 1.0}
    assert (out / PRIOR_DIR / "modules.json").is_file()  # the encoder travels with the student
    again = load_student(None, out)
    assert isinstance(again, CrossEncoderStudent) and again.prior is not None
    assert Path(again.prior.encoder) == out / PRIOR_DIR
    assert again.score(triples) == pytest.approx(student.score(triples), abs=1e-6)
    again.prior.share = 0.0  # share 0: the prior alone
    alone = again.score(triples)
    again.prior.share = 1.0
    assert alone != pytest.approx(again.score(triples), abs=1e-3)
    import shutil

    shutil.rmtree(out / PRIOR_DIR)
    with pytest.raises(ValueError, match="embedding_prior/ is missing"):
        load_student(None, out)


def _config(tmp_path: Path, data: Path, extra: str = "", lr: str = "1e-4") -> Path:
    path = tmp_path / "train.toml"
    path.write_text(
        f"""student = "cross_encoder"
embedding_prior = true
max_length = 64
seed = 3
[datasets.held]
path = "{data}"
split = "train"
[[stages]]
name = "bce"
loss = "bce"
max_steps = 3
lr = {lr}
batch_size = 8
warmup = 0
[[stages]]
name = "infonce"
loss = "infonce"
max_steps = 2
lr = 1e-5
batch_size = 2
negatives = 2
warmup = 0
[evaluation]
baselines = ["embedding"]
calibrate = "validation"
[evaluation.floor]
dataset = "held"
split = "test"
start = "embedding"
{extra}""",
        encoding="utf-8",
    )
    return path


def test_distill_with_a_prior_fits_it_once_and_keeps_it_through_the_stages(
    minilm_dir: Path, matching_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    argv = ["--config", str(_config(tmp_path, matching_dir)), "--data", str(matching_dir), "--out", str(out)]
    assert distill.main([*argv, "--model", str(minilm_dir)]) == 0
    first = json.loads((out / "stages" / "bce" / "memdistill_student.json").read_text())["embedding_prior"]
    final = json.loads((out / "memdistill_student.json").read_text())["embedding_prior"]
    assert final == first and first["weight"] > 0  # stage 2 starts from stage 1's prior, not a new fit
    summary = json.loads((out / "distill_summary.json").read_text())
    assert summary["floor"]["kept"] and summary["floor"]["start_score"] == 1.0
    assert summary["evaluation"]["student"]["map"] == 1.0  # calibrated, as evaluated: the ranking is the logit's
    calibrated = json.loads((out / "memdistill_student.json").read_text())["calibration"]
    assert calibrated["split"] == "validation" and calibrated["scale"] == summary["calibration"]["scale"]
    card = (out / "README.md").read_text()
    assert "Calibration: tiers that mean grades" in card
    assert "an embedding prior" in card and "load_student" in card and "CrossEncoder(" not in card


def test_interpolation_scales_the_cross_encoder_term_until_the_floor_holds(
    minilm_dir: Path, matching_dir: Path, tmp_path: Path
) -> None:
    """A cross-encoder term that learned the wrong thing (it ranks the gold down): its share has to go down."""
    from train.evaluate import evaluate_scores
    from train.score import load_for_inference, score_cases

    student = _started(minilm_dir, matching_dir)
    cases = _cases(matching_dir, "validation")
    with torch.no_grad():  # the head points from the gold's pooled features to the negatives'
        triples = [t for case in cases for t in case_triples(case)]
        batch = {k: v for k, v in student.encode(triples).items() if k != "prior_cosine"}
        pooled = student.model.bert(**batch).pooler_output.view(len(cases), 3, -1)
        away = pooled[:, 1:].mean(dim=(0, 1)) - pooled[:, 0].mean(dim=0)
        student.model.classifier.weight.copy_(20 * away / away.norm() ** 2)
    out = student.save(tmp_path / "student")
    config_file = _config(tmp_path, matching_dir, 'interpolate = "validation"\n')
    config = distill.load_train_config(config_file)
    mix = interpolate_to_floor(config, config.evaluation.floor, out, str(minilm_dir))
    assert mix["space"] == "output" and mix["start_score"] == 1.0  # share 0: the embeddings, every gold first
    assert 0 <= mix["alpha"] < 1.0 and mix["tried"][-1]["map"] == 1.0
    assert all(t["map"] < 1.0 for t in mix["tried"][:-1])
    assert json.loads((out / "memdistill_student.json").read_text())["embedding_prior"]["share"] == mix["alpha"]
    judge = load_for_inference(out)
    saved = evaluate_scores(cases, score_cases(judge, cases))["overall"]["map"]
    assert saved == pytest.approx(mix["tried"][-1]["map"])  # what was chosen is what was saved
    for tried in mix["tried"]:  # one scoring pass, every share from its two terms: as scoring at that share
        judge.prior.share = tried["alpha"]
        assert evaluate_scores(cases, score_cases(judge, cases))["overall"]["map"] == pytest.approx(tried["map"])
    judge.prior.share = 0.0  # saved at share 0: a rerun still reads the whole cross-encoder term and saves its choice
    judge.write_settings(out)
    again = interpolate_to_floor(config, config.evaluation.floor, out, str(minilm_dir))
    assert [t["map"] for t in again["tried"]] == pytest.approx([t["map"] for t in mix["tried"]])  # the whole term
    assert again["alpha"] == mix["alpha"] == load_for_inference(out).prior.share
    assert not stalled(mix) and "WARNING" not in interpolation_line(mix)  # this term moves the ranking (down)


def test_a_flat_cross_encoder_term_is_flagged(minilm_dir: Path, matching_dir: Path, tmp_path: Path) -> None:
    """A head that stayed at zero (the stage stalled): the student is its start, and the line says so."""
    student = _started(minilm_dir, matching_dir)
    with torch.no_grad():
        student.model.classifier.weight.mul_(0.0).add_(1e-6)
    out = student.save(tmp_path / "student")
    config = distill.load_train_config(_config(tmp_path, matching_dir, 'interpolate = "validation"\n'))
    mix = interpolate_to_floor(config, config.evaluation.floor, out, str(minilm_dir))
    assert mix["cross_encoder_spread"] < 0.05 and stalled(mix)
    assert "WARNING: the cross-encoder term is flat" in interpolation_line(mix)


def test_a_prior_is_a_cross_encoder_option_and_mixes_against_the_embedding_start(tmp_path: Path) -> None:
    stage = {"name": "bce", "loss": "bce"}
    with pytest.raises(ValueError, match=r"embedding_prior: only the cross_encoder"):
        parse_train_config({"student": "qwen3", "embedding_prior": True, "stages": [stage]})
    floor = {"dataset": "held", "split": "test", "start": "model", "interpolate": "validation"}
    with pytest.raises(TrainConfigError, match='embedding_prior = true with start = "embedding"'):
        parse_train_config(
            {
                "embedding_prior": True,
                "datasets": {"held": {"path": str(tmp_path), "split": "train"}},
                "stages": [stage],
                "evaluation": {"floor": floor},
            }
        )


def test_a_probe_stage_trains_the_head_alone(minilm_dir: Path, matching_dir: Path, tmp_path: Path) -> None:
    config = tmp_path / "probe.toml"
    config.write_text(
        """student = "cross_encoder"
embedding_prior = true
max_length = 64
[[stages]]
name = "probe"
loss = "bce"
train = "head"
max_steps = 3
lr = 1e-2
batch_size = 8
warmup = 0
[evaluation]
split = "none"
""",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert distill.main(["--config", str(config), "--data", str(matching_dir), "--out", str(out)]) == 0
    start = load_student("cross_encoder", minilm_dir).model.state_dict()
    probed = load_student(None, out)
    changed = {k for k, w in probed.model.state_dict().items() if not torch.equal(w, start[k])}
    assert changed == {"classifier.weight", "classifier.bias"}  # zeroed, then fitted; the encoder as it was
    assert probed.head().weight.abs().sum() > 0
    with pytest.raises(ValueError, match=r"stages\.probe\.train: only the cross_encoder"):
        parse_train_config({"student": "qwen3", "stages": [{"name": "probe", "loss": "bce", "train": "head"}]})
