"""The audit page: one self-contained HTML file (inline CSS, figures as base64 PNG data URIs, no external resource)."""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass

import polars as pl

from schemas import Query

CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; line-height: 1.4; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.88em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.55em; text-align: left; vertical-align: top; white-space: nowrap; }
td.wrap { white-space: normal; min-width: 16em; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { display: inline-block; margin: 0.5em 1em 1em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.85em; color: #555; }
nav a { margin-right: 1em; } dl.facts { display: grid; grid-template-columns: max-content auto; gap: 0.1em 1em; }
dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
details { margin: 0.4em 0; } summary { cursor: pointer; font-weight: 600; }
details.query { margin-left: 1.2em; } tr.gold_row td { background: #ffe0b2; }
.badge { font-size: 0.75em; padding: 0.05em 0.4em; border-radius: 0.6em; background: #e0e0e0; font-weight: normal; }
.muted { color: #666; font-size: 0.9em; }
"""


@dataclass(frozen=True)
class Section:
    id: str
    heading: str
    body: str  # HTML


@dataclass(frozen=True)
class BrowsedQuery:
    query: Query
    candidates: pl.DataFrame  # one row per candidate, columns shown as they are


@dataclass(frozen=True)
class BrowsedDialogue:
    dialogue_id: str
    calibration: bool  # in the calibration slice (never scored by the audit)
    queries: list[BrowsedQuery]


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _cell(value: object, digits: int) -> str:
    if value is None:
        return '<td class="num">n/a</td>'
    if isinstance(value, float):
        return f'<td class="num">{value:.{digits}f}</td>'
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<td class="num">{value}</td>'
    text = str(value)
    return f'<td class="wrap">{esc(text)}</td>' if len(text) > 30 else f"<td>{esc(text)}</td>"


def table_html(df: pl.DataFrame, digits: int = 3, row_class: str | None = None) -> str:
    """An HTML table of `df`; floats to `digits` places, None as n/a. A boolean column `row_class` (not shown)
    marks rows with that class."""
    shown = [c for c in df.columns if c != row_class]
    head = "".join(f"<th>{esc(c)}</th>" for c in shown)
    body = []
    for row in df.iter_rows(named=True):
        cls = f' class="{esc(row_class)}"' if row_class and row[row_class] else ""
        body.append(f"<tr{cls}>" + "".join(_cell(row[c], digits) for c in shown) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def figure_html(name: str, caption: str, png: bytes) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure id="fig-{esc(name)}"><img alt="{esc(caption)}" data-name="{esc(name)}" '
        f'src="data:image/png;base64,{data}"><figcaption>{esc(caption)}</figcaption></figure>'
    )


def facts_html(facts: list[tuple[str, str]]) -> str:
    return '<dl class="facts">' + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts) + "</dl>"


def _query_html(item: BrowsedQuery, open_: bool) -> str:
    q = item.query
    context = "".join(f"<li><b>{esc(t.speaker)}:</b> {esc(t.text)}</li>" for t in q.context)
    facts = [
        ("skill", q.skill),
        ("asked on", q.query_time.isoformat()),
        ("answer", q.answer or "(none)"),
        ("evidence", ", ".join(q.evidence) or "(none: unanswerable)"),
    ]
    return (
        f'<details class="query" id="q-{esc(q.query_id)}"{" open" if open_ else ""}><summary>{esc(q.query_id)} '
        f'<span class="badge">{esc(q.skill)}</span> {esc(q.text)}</summary>'
        + facts_html(facts)
        + (f"<p class='muted'>context:</p><ul>{context}</ul>" if context else "")
        + table_html(item.candidates, digits=2, row_class="gold_row")
        + "</details>"
    )


def browser_html(dialogues: list[BrowsedDialogue], teachers: list[str]) -> str:
    intro = (
        "<p class='muted'>Candidates by final label, gold rows highlighted. Per teacher: the mean probability that "
        "the candidate is preferred over the query's other candidates (both orders), then over “no memory” where "
        f"the null anchor was judged. Teachers: {esc(', '.join(teachers))}.</p>"
    )
    parts = [intro]
    for d in dialogues:
        badge = '<span class="badge">calibration slice</span>' if d.calibration else ""
        parts.append(
            f'<details class="dialogue" id="d-{esc(d.dialogue_id)}" open><summary>{esc(d.dialogue_id)} {badge} '
            f"({len(d.queries)} queries)</summary>"
            + "".join(_query_html(q, k == 0) for k, q in enumerate(d.queries))
            + "</details>"
        )
    return "".join(parts)


def render_report(title: str, facts: list[tuple[str, str]], sections: list[Section]) -> str:
    nav = "".join(f'<a href="#{esc(s.id)}">{esc(s.heading)}</a>' for s in sections)
    body = "".join(f'<section id="{esc(s.id)}"><h2>{esc(s.heading)}</h2>{s.body}</section>' for s in sections)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>"
        f"<body><h1>{esc(title)}</h1>{facts_html(facts)}<nav>{nav}</nav>{body}</body></html>\n"
    )
