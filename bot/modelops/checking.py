"""Is a new model not worse than the active one? Both are scored on the held-out set by
`python -m bot eval --no-baselines` (what `make eval` runs), in a subprocess: loading a
model takes TensorFlow, a gigabyte and tens of seconds, none of which belong in the web
server's event loop.

"Not worse" (see README, Retraining): no more wrong-ward commits than the active model
(the error the product must not make), and every accuracy at least the active model's
minus MODEL_TOLERANCE (0.01 by default: training is seeded, but a handful of new
examples moves a few held-out cases either way).
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Mapping

from bot.config import PROJECT_ROOT
from bot.modelops.proc import child_env, lower_priority

logger = logging.getLogger(__name__)
EVAL_TIMEOUT_S = 900
OURS = "phananh"  # the column `python -m bot eval` writes for the model it scores


NOT_COMPARABLE = ("Hai mô hình được chấm trên hai bộ câu kiểm tra khác nhau; "
                  "hãy chấm điểm lại mô hình đang dùng trước khi so sánh.")


class CheckFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class Figures:
    cases: int
    cases_digest: str  # SHA-256 of the case file: figures compare only on the same cases
    intent_accuracy: float | None
    intent_diacritics: float | None
    intent_no_diacritics: float | None
    category_accuracy: float | None
    routing_accuracy: float | None
    wrong_ward: int | None
    fallback_rate: float | None

    @classmethod
    def from_scores(cls, scores: Mapping[str, Any], cases_digest: str) -> "Figures":
        """From one column of `var/eval/latest.json` (a `bot.evaluation.scoring.Scores`)."""
        intents = scores.get("intent_accuracy") or {}
        return cls(cases=int(scores.get("n") or 0), cases_digest=cases_digest, intent_accuracy=intents.get("all"),
                   intent_diacritics=intents.get("diacritics"), intent_no_diacritics=intents.get("no_diacritics"),
                   category_accuracy=scores.get("category_accuracy"), routing_accuracy=scores.get("routing_accuracy"),
                   wrong_ward=scores.get("wrong_ward"), fallback_rate=scores.get("fallback_rate"))

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str | None) -> "Figures | None":
        return cls(**json.loads(text)) if text else None


# (field, Vietnamese label, higher is better)
METRICS: tuple[tuple[str, str, bool], ...] = (
    ("intent_accuracy", "Độ chính xác ý định (tất cả)", True),
    ("intent_diacritics", "Ý định, câu có dấu", True),
    ("intent_no_diacritics", "Ý định, câu không dấu", True),
    ("category_accuracy", "Phân loại lĩnh vực", True),
    ("routing_accuracy", "Chuyển đúng phường, xã", True),
    ("wrong_ward", "Số phản ánh giao nhầm phường", False),
)


@dataclass(frozen=True)
class Row:
    field: str
    label: str
    candidate: float | None
    active: float | None
    worse: bool


@dataclass(frozen=True)
class Comparison:
    rows: tuple[Row, ...]

    @property
    def not_worse(self) -> bool:
        return not any(row.worse for row in self.rows)

    @property
    def worse_labels(self) -> list[str]:
        return [row.label for row in self.rows if row.worse]


def _worse(candidate: float | None, active: float | None, higher_better: bool, tolerance: float) -> bool:
    if active is None:
        return False
    if candidate is None:
        return True
    if higher_better:
        return candidate < active - tolerance - 1e-9
    return candidate > active


def compare(candidate: Figures, active: Figures | None, tolerance: float) -> Comparison:
    """Row by row; with no active figures to compare with, nothing is worse."""
    if active is not None and candidate.cases_digest != active.cases_digest:
        raise CheckFailed(NOT_COMPARABLE)
    rows = []
    for field, label, higher_better in METRICS:
        mine = getattr(candidate, field)
        theirs = getattr(active, field) if active else None
        tol = tolerance if higher_better else 0.0
        rows.append(Row(field, label, mine, theirs, _worse(mine, theirs, higher_better, tol)))
    return Comparison(tuple(rows))


def cases_digest(cases: Path) -> str:
    return hashlib.sha256(cases.read_bytes()).hexdigest()


async def evaluate(model_file: Path, cases: Path, log_file: Path | None = None) -> Figures:
    """Score `model_file` on `cases` with `python -m bot eval --no-baselines`."""
    digest = cases_digest(cases)
    with tempfile.TemporaryDirectory(prefix="phananh-check-") as folder:
        output = Path(folder) / "figures.json"
        argv = [sys.executable, "-m", "bot", "eval", "--no-baselines", "--model", str(model_file),
                "--cases", str(cases), "--json", str(output)]
        env = child_env(TF_CPP_MIN_LOG_LEVEL="3")
        if log_file:  # a first check on a fresh install: no training has made the folder yet
            log_file.parent.mkdir(parents=True, exist_ok=True)
        log = log_file.open("ab") if log_file else None
        try:
            process = await asyncio.create_subprocess_exec(
                *argv, cwd=PROJECT_ROOT, env=env, stdout=log or asyncio.subprocess.DEVNULL,
                stderr=log or asyncio.subprocess.DEVNULL, preexec_fn=lower_priority)
            try:
                code = await asyncio.wait_for(process.wait(), EVAL_TIMEOUT_S)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                process.kill()
                await process.wait()
                raise
        finally:
            if log:
                log.close()
        if code != 0 or not output.exists():
            raise CheckFailed(f"scoring {model_file.name} failed (exit {code}); see {log_file or 'the log'}")
        columns = json.loads(output.read_text(encoding="utf-8"))["columns"]
    return Figures.from_scores(columns[OURS], digest)
