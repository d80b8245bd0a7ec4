from __future__ import annotations

from pathlib import Path

import pytest

from schemas import BuildConfig, ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_build_configs_load():
    paths = [p for p in sorted((ROOT / "configs").glob("*.toml")) if not p.name.startswith("train")]
    assert len(paths) >= 6
    for path in paths:  # configs/train*.toml are training configs: tests/train checks them
        assert isinstance(load_config(path), BuildConfig), path


def test_default_toml_equals_model_defaults():
    assert load_config(ROOT / "configs/default.toml") == load_config(None)


def test_overrides_parse_toml_values():
    cfg = load_config(None, ["generate.dialogues=5", "name=x", 'generate.skills=["causal"]', "split.test=0.2"])
    assert cfg.generate.dialogues == 5 and cfg.name == "x" and cfg.generate.skills == ["causal"]
    assert cfg.split.test == 0.2


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[generate]\ndialoges = 3\n", "generate.dialoges: Extra inputs are not permitted"),
        ("[generate]\ndialogues = 'many'\n", "generate.dialogues"),
        ("[generate]\ndialogues = 0\n", "generate.dialogues"),
        ("[generate]\nskills = ['telepathy']\n", "generate.skills.0"),
        ("[[judge.teachers]]\nname = 'x'\nkind = 'oracle'\n", "judge.teachers.0.kind"),
        ("colour = 'red'\n", "colour"),
        ("[generate\n", "not valid TOML"),
    ],
)
def test_bad_config_names_the_field(tmp_path, text, needle):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert needle in message and str(path) in message
    assert "\n" not in message


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")


def test_bad_override():
    with pytest.raises(ConfigError, match="key=value"):
        load_config(None, ["generate.dialogues"])
    with pytest.raises(ConfigError, match=r"split: .*validation \+ test"):
        load_config(None, ["split.test=0.9"])


def test_hash_changes_with_config():
    a, b = load_config(None), load_config(None, ["seed=14"])
    assert a.config_hash() != b.config_hash()
    assert a.section_hash("generate") != b.section_hash("generate")
    c = load_config(None, ["judge.both_orders=false"])
    assert a.section_hash("generate") == c.section_hash("generate")
    assert a.section_hash("judge") != c.section_hash("judge")
