"""Where an Open311 request is: the same address parser and resolver as the chat. Nobody is
there to pick among candidate wards, so an address that does not name one ward for certain is
refused with a description of what is missing (never a guessed ward).

- `address_string`: parsed and resolved as a citizen's message. A split old ward, a street or
  landmark alone, an old district alone, parts that disagree: 400, naming the candidates.
- `lat` + `long`: the nearest old ward's centroid (`resolve_point(strict=True)`); a point nearer to
  a neighbouring province's old ward is outside Hanoi. When that old ward became one new ward, that is the ward. When it was split, a point cannot be more than
  near: the report goes to the nearest of those new wards and is marked "phường chưa chắc
  chắn" with all of them (`ReportDraft.ward_candidates`), exactly as when a citizen in the chat
  does not know: staff confirm it or transfer it in one click. With an address, the address
  decides; when it leaves several wards, the point settles it if its ward is one of them.
- `address_id`: the 5-digit GSO code of a new ward (what GET requests answers as `address_id`),
  for systems that know the ward; an `address_string` then only adds the place inside it, and
  must not name another ward. A point whose ward is another one is not kept (the code decides:
  a point is only placed by the nearest old ward's centroid, which can miss near a boundary).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

from bot.address.parts import AddressParts
from bot.gazetteer import get_gazetteer
from bot.open311.errors import bad_request
from bot.resolver import AMBIGUOUS, NONE, OUTSIDE, RESOLVED, Resolution, resolve_point, resolve_text

MAX_ADDRESS_CHARS = 500
SHOWN_CANDIDATES = 8

NO_LOCATION = ("Thiếu vị trí: cần gửi một trong lat và long (tọa độ WGS84), address_string (địa chỉ, gồm phường, xã) "
               "hoặc address_id (mã phường, xã mới gồm 5 chữ số).")
HALF_POINT = "Cần gửi cả lat và long (tọa độ WGS84); yêu cầu chỉ có một trong hai."
BAD_POINT = "lat và long phải là số thập phân (WGS84), ví dụ lat=21.0285 và long=105.8542."
ADDRESS_TOO_LONG = f"address_string dài quá {MAX_ADDRESS_CHARS} ký tự."
UNKNOWN_ADDRESS_ID = ("address_id “{value}” không phải mã của phường, xã nào của Hà Nội (mã phường, xã mới gồm 5 chữ số, "
                      "ví dụ 00229 là Phường Kim Liên).")
POINT_OUTSIDE = ("Tọa độ ({lat}, {long}) nằm ngoài thành phố Hà Nội. Hệ thống chỉ tiếp nhận phản ánh trên địa bàn "
                 "Hà Nội.")
OUTSIDE_HANOI = ("Địa điểm “{text}” nằm ngoài thành phố Hà Nội. Hệ thống chỉ tiếp nhận phản ánh trên địa bàn Hà Nội; "
                 "với địa phương khác, vui lòng gửi tới kênh tiếp nhận của tỉnh, thành phố đó.")
SPLIT = ("Địa chỉ “{text}” thuộc phường, xã cũ nay đã chia cho nhiều phường, xã ({names}), nên chưa xác định được "
         "phường, xã phụ trách. Vui lòng ghi rõ phường, xã mới (từ 01/7/2025) trong address_string, hoặc gửi address_id "
         "hoặc tọa độ lat, long.")
STREET_ONLY = ("Địa chỉ “{text}” mới có tên đường, phố, chưa đủ để xác định phường, xã: theo dữ liệu đường phố của "
               "hệ thống (có thể chưa đầy đủ), tuyến này đi qua {names}. Vui lòng ghi thêm phường, xã trong "
               "address_string, hoặc gửi address_id hoặc tọa độ lat, long.")
STREET_IN_DISTRICT = ("Địa chỉ “{text}” có tên đường, phố và quận, huyện cũ nhưng chưa có phường, xã. Dữ liệu đường phố "
                      "của hệ thống chưa đủ chắc chắn để tự xác định phường, xã phụ trách (có thể là: {names}). Vui lòng "
                      "ghi thêm tên phường, xã (mới hoặc cũ) trong address_string, hoặc gửi address_id hoặc tọa độ "
                      "lat, long.")
LANDMARK = ("Địa điểm “{text}” nằm gần nhiều phường, xã ({names}). Vui lòng ghi rõ phường, xã trong address_string, "
            "hoặc gửi address_id hoặc tọa độ lat, long.")
DISTRICT_ONLY = ("Địa chỉ “{text}” chưa có phường, xã; quận, huyện cũ trong địa chỉ nay gồm nhiều phường, xã "
                 "({names}). Vui lòng ghi rõ phường, xã, kèm số nhà, tên đường, phố nếu có.")
UNSURE = ("Chưa xác định chắc chắn phường, xã của địa chỉ “{text}” (có thể là: {names}). Vui lòng ghi rõ tên phường, xã "
          "(hoặc phường và quận cũ) trong address_string, hoặc gửi address_id.")
NO_WARD = ("Địa chỉ “{text}” chưa có phường, xã. Vui lòng ghi thêm phường, xã (hoặc phường và quận cũ), hoặc gửi "
           "address_id hoặc tọa độ lat, long.")
NO_PLACE = ("Không đọc được địa điểm nào trong address_string “{text}”. Vui lòng ghi số nhà, tên đường, phố và "
            "phường, xã, ví dụ “số 25 phố Hàng Bông, phường Hoàn Kiếm”.")
ANOTHER_WARD = "address_string “{text}” thuộc {named}, khác với address_id {code} ({ward})."
_AMBIGUOUS = {"split_or_several_wards": SPLIT, "street_only": STREET_ONLY, "street_in_district": STREET_IN_DISTRICT,
              "landmark": LANDMARK, "district_only": DISTRICT_ONLY}


@dataclass(frozen=True)
class Place:
    ward_code: str
    ward_name: str
    address: AddressParts  # the parts, with the coordinates when given
    address_text: str  # the place inside the ward, clean ("Số 25 phố Hàng Bông")
    ward_candidates: tuple[str, ...] = ()  # non-empty: the ward is the point's nearest guess, to confirm


def _quoted(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 100 else text[:99] + "…"


def _names(res: Resolution) -> str:
    names = [c.ward_name for c in res.candidates]
    shown = ", ".join(names[:SHOWN_CANDIDATES])
    return shown + (f" và {len(names) - SHOWN_CANDIDATES} phường, xã khác" if len(names) > SHOWN_CANDIDATES else "")


def _point(lat_text: str, long_text: str) -> tuple[float, float] | None:
    if not lat_text and not long_text:
        return None
    if not (lat_text and long_text):
        raise bad_request(HALF_POINT)
    try:
        lat, lon = float(lat_text[:40]), float(long_text[:40])
    except ValueError:
        raise bad_request(BAD_POINT) from None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise bad_request(BAD_POINT)
    return lat, lon


def _point_ward(point: tuple[float, float]) -> Resolution:
    res = resolve_point(*point, strict=True)
    lat, lon = point
    if res.status == OUTSIDE:
        raise bad_request(POINT_OUTSIDE.format(lat=lat, long=lon))
    return res


def _refuse(res: Resolution, text: str) -> None:
    """Raise the 400 that says what the address lacks; return only for a resolved one."""
    quoted = _quoted(text)
    if res.status == OUTSIDE:
        raise bad_request(OUTSIDE_HANOI.format(text=quoted))
    if res.status == AMBIGUOUS:
        raise bad_request(_AMBIGUOUS.get(res.reason, UNSURE).format(text=quoted, names=_names(res)))
    if res.status != RESOLVED:
        raise bad_request((NO_WARD if res.reason == "no_ward" else NO_PLACE).format(text=quoted))


def _place(res: Resolution, ward_code: str, point: tuple[float, float] | None,
           candidates: tuple[str, ...] = ()) -> Place:
    parts = res.address
    if point is not None:
        parts = replace(parts, latitude=point[0], longitude=point[1])
    return Place(ward_code, get_gazetteer().ward_name(ward_code), parts, parts.place_line() or res.address_text,
                 candidates if len(candidates) > 1 else ())


def _wards_at(at_point: Resolution) -> list[str]:
    """The wards a point may be in: one, or the new wards of a split old ward."""
    return [c.ward_code for c in at_point.candidates] if at_point.status == AMBIGUOUS else [at_point.ward_code or ""]


def _by_address_id(address_id: str, text: str, point: tuple[float, float] | None) -> Place:
    g = get_gazetteer()
    code = address_id.strip()
    if code not in g.wards:
        raise bad_request(UNKNOWN_ADDRESS_ID.format(value=_quoted(code)))
    res = resolve_text(text) if text else Resolution(NONE)
    if res.status == OUTSIDE:
        _refuse(res, text)
    if res.status == RESOLVED and res.ward_code != code:
        raise bad_request(ANOTHER_WARD.format(text=_quoted(text), named=res.ward_name, code=code,
                                              ward=g.ward_name(code)))
    if res.status == AMBIGUOUS and res.candidates and code not in {c.ward_code for c in res.candidates}:
        raise bad_request(ANOTHER_WARD.format(text=_quoted(text), named=_names(res), code=code,
                                              ward=g.ward_name(code)))
    if point is not None and code not in _wards_at(_point_ward(point)):  # refused outside Hanoi
        point = None  # elsewhere: the ward named by its code stands, the point is not kept
    return _place(res, code, point)


def _with_point(res: Resolution, text: str, point: tuple[float, float]) -> Place:
    """An address that is not enough alone (several wards, or none named), and a point."""
    near = _wards_at(_point_ward(point))
    named = {c.ward_code for c in res.candidates}
    both = [code for code in near if not named or code in named]
    if not both:
        _refuse(res, text)  # the point is not where the address is
    return _place(res, both[0], point, tuple(both))


def place_for(lat: str = "", long: str = "", address_string: str = "", address_id: str = "") -> Place:
    """The ward and the place of a request, or Open311Error(400) saying what is missing."""
    lat, long, text, address_id = lat.strip(), long.strip(), address_string.strip(), address_id.strip()
    if len(text) > MAX_ADDRESS_CHARS:
        raise bad_request(ADDRESS_TOO_LONG)
    point = _point(lat, long)
    if address_id:
        return _by_address_id(address_id, text, point)
    res = resolve_text(text) if text else Resolution(NONE)
    if res.status == RESOLVED:
        if point is not None:
            _point_ward(point)  # a point outside Hanoi is refused, even with an address
        return _place(res, res.ward_code or "", point)
    if point is None or res.status == OUTSIDE:
        if text:
            _refuse(res, text)
        raise bad_request(NO_LOCATION)
    return _with_point(res, text, point)
