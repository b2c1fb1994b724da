"""Our Open311 services: the two report categories, named as everywhere else
(`bot.statuses.CATEGORY_LABELS`), described and given their one attribute, the kind of
violation, in `bot/data/open311.yml`; and the API's rate limits from the same file."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Mapping

import yaml

from bot import statuses
from bot.storage.limits import Limit
from bot.text import DATA_DIR

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


@dataclass(frozen=True)
class Value:
    key: str
    name: str


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    description: str
    keywords: str
    group: str
    values: tuple[Value, ...]  # the kinds of violation (attribute `ATTRIBUTE.code`)

    def value(self, key: str) -> Value | None:
        return next((v for v in self.values if v.key == key), None)


@dataclass(frozen=True)
class Attribute:
    code: str
    description: str
    datatype_description: str


@dataclass(frozen=True)
class Window:
    count: int
    seconds: int

    def limit(self, key: str) -> Limit:
        return Limit(key, self.count, timedelta(seconds=self.seconds))


@dataclass(frozen=True)
class Limits:
    read_per_ip: Window
    read_per_ip_day: Window
    read_per_key: Window
    create_per_key: Window
    create_per_key_day: Window


@lru_cache(maxsize=1)
def _data() -> dict:
    return yaml.safe_load((DATA_DIR / "open311.yml").read_text(encoding="utf-8"))


def _description(code: str, text: str) -> str:
    return f"{statuses.category_label(code)}: " + " ".join(str(text).split())


@lru_cache(maxsize=1)
def services() -> Mapping[str, Service]:
    raw, values = _data()["services"], _data()["violation_attribute"]["values"]
    return {code: Service(code, statuses.category_label(code), _description(code, raw[code]["description"]),
                          str(raw[code]["keywords"]), str(raw[code]["group"]),
                          tuple(Value(str(k), str(v)) for k, v in values[code].items()))
            for code in statuses.CATEGORIES}


@lru_cache(maxsize=1)
def attribute() -> Attribute:
    raw = _data()["violation_attribute"]
    return Attribute(str(raw["code"]), str(raw["description"]), str(raw["datatype_description"]))


@lru_cache(maxsize=1)
def limits() -> Limits:
    raw = _data()["limits"]
    return Limits(**{name: Window(int(raw[name]["count"]), int(raw[name]["seconds"])) for name in raw})


def service_item(service: Service) -> dict:
    """One entry of GET services, in the spec's order of fields."""
    return {"service_code": service.code, "service_name": service.name, "description": service.description,
            "metadata": bool(service.values), "type": "realtime", "keywords": service.keywords,
            "group": service.group}


def definition(service: Service) -> dict:
    """GET services/{code}: the kind of violation, one value from a list, optional."""
    attr = attribute()
    return {"service_code": service.code, "attributes": [{
        "variable": True, "code": attr.code, "datatype": "singlevaluelist", "required": False,
        "datatype_description": attr.datatype_description, "order": 1, "description": attr.description,
        "values": [{"key": v.key, "name": v.name} for v in service.values],
    }]}
