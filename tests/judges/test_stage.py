"""The entry points the pipeline calls: judge, fit_calibration and aggregate, with both real teachers."""

from __future__ import annotations

import json
import os

import pytest

import judges
from judges import aggregate, judge, position_flip_rate
from schemas import AggregateConfig, JudgeConfig, Judgment, TeacherConfig
from tests.judges.toy import guitar, porto

os.environ.setdefault("HF_HUB_OFFLINE", "1")

CONFIG = JudgeConfig(  # bm25 + minilm, all pairs, both orders (no teacher judges the null anchor)
    teachers=[TeacherConfig(name="bm25", kind="bm25"), TeacherConfig(name="minilm", kind="embedding")]
)


@pytest.fixture(scope="module")
def judged():
    examples = [porto(), guitar()]
    return examples, judge(examples, CONFIG, seed=7)


def test_judge_counts_and_order(judged):
    examples, js = judged
    n_pairs = [len(ex.candidates) * (len(ex.candidates) - 1) for ex in examples]
    assert len(js) == 2 * sum(n_pairs)
    # by example, then teacher (config order), then pair
    keys = [(j.query_id, j.teacher) for j in js]
    expected = [(ex.query.query_id, t.name) for ex, n in zip(examples, n_pairs, strict=True) for t in CONFIG.teachers]
    assert [k for i, k in enumerate(keys) if i == 0 or keys[i - 1] != k] == expected
    assert position_flip_rate(js) == {"bm25": 0.0, "minilm": 0.0}


def test_aggregate_labels_one_per_candidate_and_gold_on_top(judged):
    examples, js = judged
    labels = aggregate(examples, js, CONFIG, AggregateConfig())
    assert [(s.query_id, s.memory_id) for s in labels] == [
        (ex.query.query_id, c.memory.memory_id) for ex in examples for c in ex.candidates
    ]
    assert all(0.0 <= s.label <= 1.0 and 0 <= s.tier <= 4 for s in labels)
    for ex in examples:
        mine = {s.memory_id: s for s in labels if s.query_id == ex.query.query_id}
        (gold,) = ex.query.evidence
        assert mine[gold].label == max(s.label for s in mine.values())
        assert mine[gold].label > 0.5
        n = len(ex.candidates)
        assert all(s.n_judgments == 2 * 2 * (n - 1) for s in mine.values())  # 2 teachers x 2 orders x (n-1) others
        assert abs(sum(s.strength for s in mine.values())) < 1e-9
        agreement = {s.agreement for s in mine.values()}
        assert len(agreement) == 1 and agreement.pop() is not None


def test_teacher_weight_moves_the_labels():
    ex = porto()
    js = [
        Judgment(teacher="likes_cat", query_id="q_porto", first="m_cat", second="m_gold", p_first=0.9),
        Judgment(teacher="likes_gold", query_id="q_porto", first="m_gold", second="m_cat", p_first=0.9),
    ]

    def label_of(w_cat: float, w_gold: float) -> dict[str, float]:
        teachers = [
            TeacherConfig(name="likes_cat", kind="bm25", weight=w_cat),
            TeacherConfig(name="likes_gold", kind="bm25", weight=w_gold),
        ]
        out = aggregate([ex], js, JudgeConfig(teachers=teachers), AggregateConfig())
        return {s.memory_id: s.label for s in out}

    assert label_of(1.0, 3.0)["m_gold"] > label_of(1.0, 1.0)["m_gold"] > label_of(3.0, 1.0)["m_gold"]
    assert label_of(1.0, 1.0)["m_gold"] == pytest.approx(0.5)


def test_bad_judgments_are_clear_errors(judged):
    examples, js = judged
    stranger = js[0].model_copy(update={"teacher": "gpt"})
    with pytest.raises(ValueError, match="teacher 'gpt'"):
        aggregate(examples, [stranger], CONFIG, AggregateConfig())
    lost = js[0].model_copy(update={"query_id": "q_other"})
    with pytest.raises(ValueError, match="q_other"):
        aggregate(examples, [lost], CONFIG, AggregateConfig())
    wrong = js[0].model_copy(update={"second": "m_nope"})
    with pytest.raises(ValueError, match="m_nope"):
        aggregate(examples, [wrong], CONFIG, AggregateConfig())
    with pytest.raises(ValueError, match="repeats"):
        judge([porto(), porto()], CONFIG, seed=0)


def test_judge_and_aggregate_are_deterministic(judged):
    examples, js = judged

    def dump(judgments, labels) -> str:
        return json.dumps([j.model_dump(mode="json") for j in judgments] + [s.model_dump(mode="json") for s in labels])

    again = judge(examples, CONFIG, seed=7)
    first = dump(js, aggregate(examples, js, CONFIG, AggregateConfig()))
    second = dump(again, aggregate(examples, again, CONFIG, AggregateConfig()))
    assert first == second
    one_order = CONFIG.model_copy(update={"both_orders": False})
    a = judge(examples, one_order, seed=3)
    assert len(a) == len(js) // 2
    assert dump(a, aggregate(examples, a, one_order, AggregateConfig())) == dump(
        judge(examples, one_order, seed=3), aggregate(examples, a, one_order, AggregateConfig())
    )


def test_calibrated_aggregate_with_the_real_teachers(judged):
    examples, js = judged
    slice_js = [j for j in js if j.query_id == "q_porto"]
    cal = judges.fit_calibration(examples[:1], slice_js, CONFIG, AggregateConfig())
    assert set(cal.teachers) == {"bm25", "minilm"} and cal.anchored is None and cal.relative is not None
    assert judges.Calibration.from_json(cal.to_json()) == cal
    rest = [j for j in js if j.query_id == "q_guitar"]
    labels = aggregate(examples[1:], rest, CONFIG, AggregateConfig(), cal, seed=1)
    best = max(labels, key=lambda s: s.label)
    assert best.memory_id == "g_gold"
    assert all(s.interval is not None and s.interval[0] <= s.label <= s.interval[1] for s in labels)
    empty = judges.fit_calibration([], [], CONFIG, AggregateConfig())
    assert empty.relative is None and "empty" in empty.note
    assert [s.label for s in aggregate(examples, js, CONFIG, AggregateConfig(), empty)] == pytest.approx(
        [s.label for s in aggregate(examples, js, CONFIG, AggregateConfig())], abs=1e-9
    )
