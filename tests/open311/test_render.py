"""The formats themselves: XML that parses whatever a stored text holds, JSON that encodes to
UTF-8, the Spark convention between them."""
from __future__ import annotations

import json
from xml.etree import ElementTree

from bot.open311.render import Document, errors_document, to_json, to_xml


def test_xml_and_json_carry_the_same_structure() -> None:
    document = Document("service_definition", {"service_code": "sidewalk", "attributes": [
        {"variable": True, "required": False, "order": 1, "datatype_description": None,
         "values": [{"key": "ban_ghe", "name": "Bày bàn ghế"}]}]})
    root = ElementTree.fromstring(to_xml(document).encode("utf-8"))
    assert root.findtext("attributes/attribute/variable") == "true"
    assert root.findtext("attributes/attribute/required") == "false"
    assert root.find("attributes/attribute/datatype_description").text is None
    assert root.findtext("attributes/attribute/values/value/name") == "Bày bàn ghế"
    assert json.loads(to_json(document)) == document.body


def test_odd_stored_text_never_breaks_an_answer() -> None:
    note = "Đã xử lý\x0b xong \ud800 <b>&</b>"
    document = Document("service_requests", [{"status_notes": note}])
    parsed = ElementTree.fromstring(to_xml(document).encode("utf-8"))
    assert parsed.findtext("request/status_notes") == "Đã xử lý\ufffd xong \ufffd <b>&</b>"
    assert json.loads(to_json(document).encode("utf-8"))[0]["status_notes"].startswith("Đã xử lý\x0b xong \ufffd")


def test_errors_are_the_specs_list() -> None:
    document = errors_document(403, "api_key không hợp lệ")
    assert json.loads(to_json(document)) == [{"code": 403, "description": "api_key không hợp lệ"}]
    assert to_xml(document) == ('<?xml version="1.0" encoding="utf-8"?>\n<errors><error><code>403</code>'
                                '<description>api_key không hợp lệ</description></error></errors>')
