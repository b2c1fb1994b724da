"""Our XML answers have the structure of the spec's examples (http://wiki.open311.org/GeoReport_v2):
the same root, the same item elements, the same fields in the same order, an XML declaration
with UTF-8, text/xml; and JSON is the same structure (the Spark convention)."""
from __future__ import annotations

from xml.etree import ElementTree

from tests.open311.conftest import PUBLIC_BASE_URL, Open311Site

# The spec's example answers, written as element names (a tuple: the children, in order).
SERVICE = ("service_code", "service_name", "description", "metadata", "type", "keywords", "group")
VALUE = ("key", "name")
ATTRIBUTE = ("variable", "code", "datatype", "required", "datatype_description", "order", "description", "values")
DEFINITION = ("service_code", "attributes")
CREATED = ("service_request_id", "service_notice", "account_id")
REQUEST = ("service_request_id", "status", "status_notes", "service_name", "service_code", "description",
           "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
           "address", "address_id", "zipcode", "lat", "long", "media_url")
ERROR = ("code", "description")
DISCOVERY = ("changeset", "contact", "key_service", "endpoints")
ENDPOINT = ("specification", "url", "changeset", "type", "formats")


def children(element: ElementTree.Element) -> tuple[str, ...]:
    return tuple(child.tag for child in element)


def parsed(body: str, content_type: str) -> ElementTree.Element:
    assert content_type == "text/xml; charset=utf-8"
    assert body.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(body.encode("utf-8"))


async def xml_of(response) -> ElementTree.Element:  # type: ignore[no-untyped-def]
    return parsed(await response.text(), response.headers["Content-Type"])


async def test_services_and_definition(sqlite_site: Open311Site) -> None:
    services = await xml_of(await sqlite_site.get("/open311/v2/services.xml"))
    assert services.tag == "services" and set(children(services)) == {"service"}
    assert all(children(service) == SERVICE for service in services)
    assert [s.findtext("metadata") for s in services] == ["true", "true"]

    definition = await xml_of(await sqlite_site.get("/open311/v2/services/sidewalk.xml"))
    assert definition.tag == "service_definition" and children(definition) == DEFINITION
    attributes = definition.find("attributes")
    assert set(children(attributes)) == {"attribute"}
    attribute = attributes.find("attribute")
    assert children(attribute) == ATTRIBUTE
    assert attribute.findtext("datatype") == "singlevaluelist" and attribute.findtext("required") == "false"
    values = attribute.find("values")
    assert set(children(values)) == {"value"} and all(children(v) == VALUE for v in values)

    as_json = await (await sqlite_site.get("/open311/v2/services/sidewalk.json")).json()
    assert tuple(as_json) == DEFINITION and tuple(as_json["attributes"][0]) == ATTRIBUTE
    assert as_json["attributes"][0]["values"][0] == {"key": values[0].findtext("key"), "name": values[0].findtext("name")}


async def test_post_and_requests(sqlite_site: Open311Site) -> None:
    response = await sqlite_site.post("xml", service_code="sidewalk", address_string="số 3 phố Hàng Đào, phường Hoàn Kiếm",
                                      description="Bày hàng kín vỉa hè")
    assert response.status == 200
    created = await xml_of(response)
    assert created.tag == "service_requests" and children(created) == ("request",)
    assert children(created.find("request")) == CREATED
    code = created.findtext("request/service_request_id")

    listed = await xml_of(await sqlite_site.get("/open311/v2/requests.xml"))
    assert listed.tag == "service_requests" and set(children(listed)) == {"request"} and len(listed) == 2
    assert all(children(request) == REQUEST for request in listed)
    one = await xml_of(await sqlite_site.get(f"/open311/v2/requests/{code}.xml"))
    assert children(one) == ("request",) and children(one.find("request")) == REQUEST

    as_json = await (await sqlite_site.get(f"/open311/v2/requests/{code}.json")).json()
    assert isinstance(as_json, list) and tuple(as_json[0]) == REQUEST
    assert as_json[0]["zipcode"] is None and one.find("request/zipcode").text is None


async def test_errors_and_discovery(sqlite_site: Open311Site) -> None:
    response = await sqlite_site.post("xml", api_key="pat_not-a-key", service_code="sidewalk", address_id="00070")
    assert response.status == 403
    errors = await xml_of(response)
    assert errors.tag == "errors" and children(errors) == ("error",) and children(errors[0]) == ERROR
    assert errors.findtext("error/code") == "403"

    discovery = await xml_of(await sqlite_site.get("/open311/discovery.xml"))
    assert children(discovery) == DISCOVERY
    endpoint = discovery.find("endpoints/endpoint")
    assert children(endpoint) == ENDPOINT and endpoint.findtext("url") == f"{PUBLIC_BASE_URL}/open311/v2"
    assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]
