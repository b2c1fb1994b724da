"""The two formats of the spec: XML (schemaless, no namespace, UTF-8 declaration) and JSON as
its programmatic mapping (the Spark convention: a list of items is a JSON array, a nested
list a named array, `null` where XML has an empty element).

A `Document` is the answer as data: a root with a list of items (`<services><service>…`),
or a root with one object (`<service_definition>…`). Lists inside an object are wrapped in
their plural element, each value in its singular one (`<values><value>…`).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

JSON, XML = "json", "xml"
FORMATS = (JSON, XML)
CONTENT_TYPES = {JSON: "application/json", XML: "text/xml"}
# What XML 1.0 cannot carry (control characters, lone surrogates, U+FFFE/U+FFFF), nor UTF-8
# the surrogates: a stray one in a stored note must not break a whole list.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SINGULAR = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format",
             "errors": "error", "services": "service", "service_requests": "request"}


@dataclass(frozen=True)
class Document:
    root: str
    body: Any  # a list of dicts (the root's items) or one dict


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


def _fill(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _fill(ElementTree.SubElement(element, key), inner)
    elif isinstance(value, list):
        item = _SINGULAR.get(element.tag, "item")
        for inner in value:
            _fill(ElementTree.SubElement(element, item), inner)
    else:
        element.text = _text(value)


def to_xml(document: Document) -> str:
    root = ElementTree.Element(document.root)
    _fill(root, document.body)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(root, encoding="unicode")


def to_json(document: Document) -> str:
    text = json.dumps(document.body, ensure_ascii=False, separators=(",", ":"))
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def render(document: Document, fmt: str) -> str:
    return to_xml(document) if fmt == XML else to_json(document)


def errors_document(status: int, *descriptions: str) -> Document:
    """The spec's error list; each error's code is the HTTP status."""
    return Document("errors", [{"code": status, "description": text} for text in descriptions])
