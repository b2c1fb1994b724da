"""`python -m bot eval-fallback`: choose FallbackClassifier thresholds on a validation split.

The training data is split (stratified, fixed seeds) into 80% to train on and 20% to validate
on, once per seed, and the validation results are pooled; the held-out set is never used.
For each threshold pair we count what the bot would do
with each validation message: accept a right intent, accept a wrong one, or ask "Có phải bạn
muốn …?". A wrong acceptance sends the conversation down the wrong path, a needless question
costs the citizen one click, so the chosen pair minimises
    WRONG_ACCEPT_COST × wrong acceptances + needless questions.

The same validation runs compare NLU configurations (`--config`) and candidate training
examples (`--extra-train`, added to the training side of every split only), so that neither is
chosen on the held-out set. They print top-intent accuracy with and without diacritics.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, List, Optional, Sequence, Tuple

from bot.config import PROJECT_ROOT
from bot.evaluation.baselines import train_nlu
from bot.modelops.agent import load_agent
from bot.modelops.routing import top_intent
from bot.text import canonical, has_diacritics

NLU_DIR = PROJECT_ROOT / "data" / "nlu"
WRONG_ACCEPT_COST = 3
THRESHOLDS = [round(0.20 + 0.05 * i, 2) for i in range(15)]  # 0.20 … 0.90
AMBIGUITY = [0.0, 0.02, 0.05, 0.08, 0.1, 0.15]


@dataclass(frozen=True)
class Ranked:
    expected: str
    top: Optional[str]  # None when the model ranked no intent
    top_confidence: float
    margin: float  # top minus second confidence
    with_diacritics: bool = True


@dataclass(frozen=True)
class Outcome:
    threshold: float
    ambiguity: float
    right_accepted: int
    wrong_accepted: int
    needless_questions: int  # right guesses the bot still asked about
    caught: int  # wrong guesses it asked about

    @property
    def cost(self) -> int:
        return WRONG_ACCEPT_COST * self.wrong_accepted + self.needless_questions


def outcome(ranked: Sequence[Ranked], threshold: float, ambiguity: float) -> Outcome:
    counts = {"right_accepted": 0, "wrong_accepted": 0, "needless_questions": 0, "caught": 0}
    for r in ranked:
        asks = r.top_confidence < threshold or r.margin < ambiguity
        right = r.top == r.expected
        key = ("needless_questions" if right else "caught") if asks else ("right_accepted" if right else "wrong_accepted")
        counts[key] += 1
    return Outcome(threshold, ambiguity, **counts)


def sweep(ranked: Sequence[Ranked]) -> List[Outcome]:
    return [outcome(ranked, t, a) for t in THRESHOLDS for a in AMBIGUITY]


def best(outcomes: Sequence[Outcome]) -> Outcome:
    """Lowest cost; among equals the lowest thresholds (fewest questions in real use)."""
    return min(outcomes, key=lambda o: (o.cost, o.threshold, o.ambiguity))


def _ranked(parsed: dict, expected: str) -> Ranked:
    ranking = [i for i in parsed.get("intent_ranking") or [] if i.get("name") != "nlu_fallback"]
    top = top_intent(parsed)
    second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
    confidence = float(top.get("confidence") or 0.0)
    return Ranked(expected, top.get("name"), confidence, confidence - second, has_diacritics(parsed.get("text") or ""))


def accuracy(ranked: Sequence[Ranked]) -> str:
    right = sum(r.top == r.expected for r in ranked)
    return f"{right / len(ranked):.3f} ({right}/{len(ranked)})" if ranked else "–"


def train_validation_split(seed: int, extra_train: Sequence[Path] = (),
                           nlu_dir: Path = NLU_DIR) -> Tuple[Any, Any]:  # Rasa's TrainingData (untyped)
    """80% of the NLU data (plus `extra_train`, candidate examples to measure) and the other 20%.

    The 20% depends only on the seed and the committed data, never on `extra_train`; a candidate
    that says the same as a validation message is left out of training."""
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    files = sorted(nlu_dir.glob("*.yml"))
    data = load_data(str(files[0])).merge(*(load_data(str(f)) for f in files[1:]))
    train, validation = data.train_test_split(train_frac=0.8, random_seed=seed)
    if extra_train:
        held = {canonical(m.get("text")) for m in validation.intent_examples}
        extra = load_data(str(extra_train[0])).merge(*(load_data(str(f)) for f in extra_train[1:]))
        kept = [m for m in extra.training_examples if canonical(m.get("text")) not in held]
        train = train.merge(TrainingData(kept))
    return train, validation


def validation_rankings(config: Path, seed: int, extra_train: Sequence[Path] = (),
                        nlu_dir: Path = NLU_DIR) -> Tuple[List[Ranked], int]:
    train, validation = train_validation_split(seed, extra_train, nlu_dir)
    with tempfile.TemporaryDirectory() as tmp:
        train_file = Path(tmp) / "train.yml"
        train_file.write_text(train.nlu_as_yaml(), encoding="utf-8")
        model, _seconds = train_nlu(config, "fallback-tuning", nlu=train_file)
    agent = load_agent(model)
    examples = [(m.get("text"), m.get("intent")) for m in validation.intent_examples]

    async def parse_all() -> List[Ranked]:
        return [_ranked(await agent.parse_message(text), intent) for text, intent in examples]

    return asyncio.run(parse_all()), len(train.intent_examples)


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("eval-fallback", help="choose FallbackClassifier thresholds on a validation split")
    p.add_argument("--config", type=Path, default=PROJECT_ROOT / "config.yml")
    p.add_argument("--seeds", type=int, nargs="+", default=[42, 43, 44], help="one 80/20 split and training per seed")
    p.add_argument("--nlu", type=Path, default=NLU_DIR, help="the NLU data to split (default: data/nlu)")
    p.add_argument("--extra-train", type=Path, nargs="*", default=[],
                   help="NLU files added to every training split only: measures new examples on unchanged validation splits")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    ranked: List[Ranked] = []
    for seed in args.seeds:
        seed_ranked, trained_on = validation_rankings(args.config, seed, args.extra_train, args.nlu)
        ranked += seed_ranked
    outcomes = sweep(ranked)
    chosen = best(outcomes)
    out = sys.stdout
    out.write(f"Validation: {len(args.seeds)} splits (seeds {args.seeds}), each trained on {trained_on} examples; "
              f"{len(ranked)} validation predictions pooled.\n")
    out.write(f"Top-intent accuracy without fallback: {accuracy(ranked)}; with diacritics "
              f"{accuracy([r for r in ranked if r.with_diacritics])}, without {accuracy([r for r in ranked if not r.with_diacritics])}\n")
    for intent in sorted({r.expected for r in ranked}):
        out.write(f"  recall of {intent:<22} {accuracy([r for r in ranked if r.expected == intent])}\n")
    out.write("\n")
    out.write(f"{'threshold':>9} {'ambiguity':>9} {'right':>6} {'wrong':>6} {'needless?':>9} {'caught':>6} {'cost':>5}\n")
    for o in outcomes:
        if o.ambiguity in (0.0, chosen.ambiguity):
            mark = "  <- chosen" if o == chosen else ""
            out.write(f"{o.threshold:>9.2f} {o.ambiguity:>9.2f} {o.right_accepted:>6} {o.wrong_accepted:>6} "
                      f"{o.needless_questions:>9} {o.caught:>6} {o.cost:>5}{mark}\n")
    out.write(f"\nChosen (cost = {WRONG_ACCEPT_COST} × wrong + needless): threshold {chosen.threshold}, "
              f"ambiguity_threshold {chosen.ambiguity}\n")
    return 0
