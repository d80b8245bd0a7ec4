"""Print a generated dialogue with its queries and candidates, to read what the generators write.

python -m generators --index 3 [--config configs/tiny.toml] [--set generate.sessions=5]
"""

from __future__ import annotations

import argparse

import generators
from schemas import load_config, render_memory, render_query


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m generators", description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="a TOML build config (default: the built-in defaults)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a config key")
    parser.add_argument("--index", type=int, default=0, help="which dialogue")
    args = parser.parse_args(argv)
    config = load_config(args.config, args.set)
    generated = generators.generate_dialogue(config, args.index)
    for session in generated.dialogue.sessions:
        print(f"== session {session.index}  {session.date_time:%Y-%m-%d %H:%M}")
        for turn in session.turns:
            marks = f"   {turn.expresses}" if turn.expresses else ""
            print(f"{turn.turn_id:>7}  {turn.speaker}: {turn.text}{marks}")
    for example in generators.build_candidates(generated, config):
        query = example.query
        print(f"\n### {query.query_id} [{query.skill}] {query.instruction}")
        print(render_query(query.text, query.context, query.query_time))
        print(f"answer: {query.answer}   evidence: {query.evidence}")
        for c in example.candidates:
            print(f"  {c.gold} {c.origin:<30} {c.memory.memory_id:>6} {render_memory(c.memory)}")


if __name__ == "__main__":
    main()
