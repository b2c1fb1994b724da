"""Printing evaluation scores side by side, as plain text for a terminal and for the docs."""
from __future__ import annotations

from typing import Callable, Dict, List, Optional, Tuple

from bot.evaluation.scoring import Scores

Columns = Dict[str, Scores]


def _fmt(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


SUMMARY_ROWS: List[Tuple[str, str, Callable[[Scores], object]]] = [  # label, what it scores ("intents" or "routing"), how to read it
    ("intent accuracy", "intents", lambda s: s.intent_accuracy["all"]),
    ("  with diacritics", "intents", lambda s: s.intent_accuracy["diacritics"]),
    ("  without diacritics", "intents", lambda s: s.intent_accuracy["no_diacritics"]),
    ("  fallbacks counted as errors", "intents", lambda s: s.intent_accuracy_fallback_as_error),
    ("fallback rate (bot asks to confirm)", "intents", lambda s: s.fallback_rate),
    ("category accuracy", "intents", lambda s: s.category_accuracy),
    ("routing accuracy", "routing", lambda s: s.routing_accuracy),
    ("wrong-ward commits", "routing", lambda s: s.wrong_ward),
]


def summary_table(columns: Columns, scored: Dict[str, List[str]]) -> str:
    """`scored` maps "intents"/"routing" to the columns that have those figures."""
    lines = [f"{'':<36}" + "".join(f"{name:>14}" for name in columns)]
    for label, kind, get in SUMMARY_ROWS:
        cells = [_fmt(get(s)) if name in scored[kind] else "–" for name, s in columns.items()]
        lines.append(f"{label:<36}" + "".join(f"{c:>14}" for c in cells))
    return "\n".join(lines)


def outcomes_table(columns: Columns, routing_columns: List[str]) -> str:
    outcomes = sorted({o for n in routing_columns for o in columns[n].routing_outcomes})
    lines = [f"{'routing outcomes':<36}" + "".join(f"{n:>14}" for n in routing_columns)]
    for outcome in outcomes:
        lines.append(f"  {outcome:<34}" + "".join(f"{columns[n].routing_outcomes.get(outcome, 0):>14}" for n in routing_columns))
    return "\n".join(lines)


def per_intent_table(columns: Columns, intent_columns: List[str]) -> str:
    intents = sorted({i for n in intent_columns for i in columns[n].per_intent})
    header = f"{'precision / recall (support)':<36}" + "".join(f"{n:>18}" for n in intent_columns)
    lines = [header]
    for intent in intents:
        cells = []
        for n in intent_columns:
            s = columns[n].per_intent.get(intent)
            cells.append(f"{s.precision:.2f} / {s.recall:.2f} ({s.support})" if s else "–")
        lines.append(f"  {intent:<34}" + "".join(f"{c:>18}" for c in cells))
    return "\n".join(lines)


def error_list(title: str, errors: List[dict], fields: List[str], limit: Optional[int] = None) -> str:
    shown = errors if limit is None else errors[:limit]
    lines = [f"{title} ({len(errors)})"]
    for e in shown:
        details = "  ".join(f"{f}={e[f]}" for f in fields)
        lines.append(f"  {e['id']:<6} {details}  | {e['text'][:110]}")
    if limit is not None and len(errors) > limit:
        lines.append(f"  … and {len(errors) - limit} more (see the JSON output)")
    return "\n".join(lines)


def confusion_list(name: str, scores: Scores) -> str:
    pairs = ", ".join(f"{e}→{g} ×{n}" for e, g, n in scores.confusions) or "none"
    return f"Intent confusions, {name}: {pairs}"
