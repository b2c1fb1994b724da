"""What we compare against: Rasa's default pipeline and vietnamadminunits' own parser."""
from __future__ import annotations

import functools
import logging
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Sequence, Tuple

from bot.config import PROJECT_ROOT
from bot.evaluation.scoring import Prediction
from bot.resolver import NONE, OUTSIDE, RESOLVED

logger = logging.getLogger(__name__)

EVAL_DIR = PROJECT_ROOT / "eval"
EVAL_MODELS = PROJECT_ROOT / "models" / "eval"
DEFAULT_PIPELINE_CONFIG = EVAL_DIR / "baseline_config.yml"  # what `rasa init` trains with
HANOI = "Thành phố Hà Nội"


def train_nlu(config: Path, name: str, nlu: Path = PROJECT_ROOT / "data" / "nlu", out: Path = EVAL_MODELS) -> Tuple[Path, float]:
    """Train an NLU-only model with `rasa train nlu`; returns its path and the seconds it took."""
    out.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "rasa", "train", "nlu", "--config", str(config), "--nlu", str(nlu),
        "--out", str(out), "--fixed-model-name", name, "--quiet",
    ]
    logger.info("Training %s: %s", name, " ".join(command))
    started = time.monotonic()
    subprocess.run(command, check=True, cwd=PROJECT_ROOT, stdout=sys.stderr)
    return out / f"{name}.tar.gz", time.monotonic() - started


@functools.lru_cache(maxsize=1)
def offline_parser() -> None:
    """vietnamadminunits geocodes split wards through ArcGIS: its parser and converter get a
    geocoder that answers nothing, so no address leaves the machine (the package has no switch
    of its own; the names replaced are checked to exist first)."""
    import vietnamadminunits.parser.utils as utils
    from vietnamadminunits.converter import converter_2025

    def offline(_address: str) -> None:
        return None

    for module in (utils, converter_2025):
        if not hasattr(module, "get_geo_location"):
            raise RuntimeError(f"{module.__name__} no longer has get_geo_location: check the offline switch")
        module.get_geo_location = offline
    utils.geolocator = None


def parser_prediction(text: str) -> Prediction:
    """vietnamadminunits' free-text parser on the raw text, used as well as it allows.

    An old address ("phường X, quận Y") is parsed in LEGACY mode and converted to the new ward
    with the package's converter (its default ward for a split one: the geocoder is off); any
    other text is parsed in FROM_2025 mode. The parser never asks: it commits or finds nothing.
    """
    offline_parser()
    from vietnamadminunits import convert_address, parse_address

    legacy = parse_address(text, mode="LEGACY")
    if legacy.ward and legacy.district and legacy.province == HANOI:
        converted = convert_address(f"{legacy.ward}, {legacy.district}, {legacy.province}")
        if converted.ward_code:
            return Prediction(None, status=RESOLVED, ward_code=converted.ward_code)
    latest = parse_address(text, mode="FROM_2025")
    if latest.ward_code and latest.province == HANOI:
        return Prediction(None, status=RESOLVED, ward_code=latest.ward_code)
    province = latest.province or legacy.province
    return Prediction(None, status=OUTSIDE if province and province != HANOI else NONE)


def parser_predictions(texts: Sequence[str]) -> List[Prediction]:
    return [parser_prediction(t) for t in texts]
