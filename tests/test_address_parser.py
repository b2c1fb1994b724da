"""The address parser, phenomenon by phenomenon, and the clean address it gives."""
from __future__ import annotations

import pytest

from bot.address.parser import MARKED, PAIRED, parse
from bot.address.parts import AddressParts, place_key
from bot.resolver import AMBIGUOUS, NONE, OUTSIDE, RESOLVED, resolve_text
from bot.text import normalize


def parts(text: str) -> dict:
    return resolve_text(text).address.to_dict()


@pytest.mark.parametrize("text, number", [
    ("số 25 phố Hàng Bông", "25"), ("nhà 12A ngõ 4 Hoàng Hoa Thám", "12A"), ("sn 7 ngo 12 Lo Duc", "7"),
    ("số nhà 15/3 đường Láng", "15/3"), ("nha so 9 pho Hue", "9"), ("25 Hàng Bông, phường Hoàn Kiếm", "25"),
    ("quán bia trước số 102B Kim Mã lấn vỉa hè", "102B"),
])
def test_house_numbers(text: str, number: str) -> None:
    assert parts(text)["house_number"] == number


@pytest.mark.parametrize("text", [
    "nhà bên cạnh xây lên tầng 5", "3 ngày rồi chưa ai xử lý", "hát karaoke đến 2h sáng", "có 5 người bán hàng rong",
    "lấn ra đường 10 mét", "từ năm 2024 đến nay", "phản ánh PA-7K2Q9X sao chưa xử lý",
])
def test_numbers_that_are_not_house_numbers(text: str) -> None:
    assert "house_number" not in parts(text) and resolve_text(text).status == NONE


@pytest.mark.parametrize("text, alley, street", [
    ("số 8 ngõ 120 ngách 45 Trường Chinh", "120/45", "Trường Chinh"),
    ("so 8 ngo 120/45 truong chinh", "120/45", "Trường Chinh"),
    ("hẻm 3 ngõ 8 Tôn Thất Tùng", "8/3", "Tôn Thất Tùng"),  # written smallest first: ngõ 8, hẻm 3
    ("ngõ 12 ngách 3 hẻm 5 Lò Đúc", "12/3/5", "Lò Đúc"),
    ("kiệt 5 Nguyễn Chí Thanh", "5", "Nguyễn Chí Thanh"),
])
def test_alley_chains_and_the_street_after_them(text: str, alley: str, street: str) -> None:
    found = parts(text)
    assert (found["alley"], found["street"]) == (alley, street)


def test_a_named_alley_runs_near_its_namesake_ward() -> None:
    result = resolve_text("Cống trước số 20 ngõ Văn Chương bị tắc")
    assert result.address.alley == "Văn Chương" and result.status == AMBIGUOUS
    assert "00226" in [c.ward_code for c in result.candidates]


@pytest.mark.parametrize("text, street", [
    ("vỉa hè phố Huế bị chiếm làm chỗ để xe", "Huế"),  # the street, not the old ward "Phố Huế" nor the city
    ("ngõ 6 do xuan hop co nha coi noi", "do xuan hop"),  # unknown to the street table, typed plainly
    ("số 15 ngõ 2 phố Vĩnh Hồ xây nhà không phép", "Vĩnh Hồ"),  # "hồ" inside a name does not end it
    ("ngo 10 duong Cao Lo co nha xay lan", "Cao Lo"),  # "lô" marks a house only before a number
])
def test_streets(text: str, street: str) -> None:
    assert parts(text)["street"] == street


@pytest.mark.parametrize("text", [
    "hàng rong bày kín lòng đường", "họ bày hàng tràn ra cả lòng đường", "xe đỗ xuống đường",
])
def test_the_road_itself_is_no_street(text: str) -> None:
    assert "street" not in parts(text)


@pytest.mark.parametrize("text", [
    "toi va nha ben canh deu bi mat nuoc",  # "va nha" would spell Vân Hà without the space
    "dan than hoai ma khong ai giai quyet",  # "than hoai" would spell Thanh Oai
    "nha ben canh co loa keo hat ca dem",  # "có loa", not Cổ Loa… typed plainly, read plainly
    "chúc chương trình thành công", "ba vi can bo den lam viec roi ve",
])
def test_ordinary_words_never_commit_a_ward(text: str) -> None:
    assert resolve_text(text).status != RESOLVED


@pytest.mark.parametrize("text", [
    "phuong Viet Hung TP Ha Long Quang Ninh bi ngap",  # a Hanoi ward's name, in another province
    "xa Hoa Phu huyen Cu Chi",  # a Hanoi commune's name, with a district elsewhere
    "Kim Liên, Nghệ An", "xã Tây Hồ, TP Đà Nẵng", "phường Bạch Đằng, Hải Phòng", "q1 tphcm",
    "Có người bán hàng rong ở phường Bến Nghé quận 1",
])
def test_a_province_or_a_district_elsewhere_makes_it_outside(text: str) -> None:
    assert resolve_text(text).status == OUTSIDE


def test_a_hanoi_commune_named_like_a_province_is_confirmed_by_its_district() -> None:
    result = resolve_text("cau tre o Phu Yen Phu Xuyen sap hong")
    assert (result.status, result.ward_code) == (RESOLVED, "10330")
    assert resolve_text("nha toi o Yen Bai, mat dien suot").status == AMBIGUOUS  # xã Yên Bài, or the province?


@pytest.mark.parametrize("text, code", [
    ("xa hoa phu huyen ung hoa", "10417"),  # the old commune of Ứng Hòa, not today's xã Hòa Phú
    ("p kham thien q dong da", "00226"), ("P.Tran Hung Dao Q.Hoan Kiem", "00082"),
    ("thuy huong, chuong my", "10015"), ("Thuỵ Hương, Chương Mỹ", "10015"),
    ("tt Phuc Tho ban hang rong", "09715"), ("p bach mai q HBT", "00292"),
])
def test_old_addresses_with_their_district(text: str, code: str) -> None:
    result = resolve_text(text)
    assert (result.status, result.ward_code) == (RESOLVED, code), result


@pytest.mark.parametrize("text", [
    "phường Kim Liên, quận Hoàn Kiếm",  # a ward of Đống Đa named with another district
    "cong rac tran ra duong tai phuong Phuc La quan Thanh Xuan",
    "xã Hoà Phú",  # today's xã Hòa Phú, or the old one of Ứng Hòa?
    "thi tran Dong Anh",  # the old town: split
])
def test_parts_that_disagree_or_do_not_say_which_are_asked_about(text: str) -> None:
    assert resolve_text(text).status == AMBIGUOUS


def test_units_are_placed_by_their_marker_or_their_district() -> None:
    placed = {u.name.text: u.position for u in parse(normalize("số 4 Phương Mai, p Phương Mai, Khâm Thiên Đống Đa")).units}
    assert placed["Phương Mai"] == MARKED and placed["Khâm Thiên"] == PAIRED


def test_offsets_point_into_the_text() -> None:
    text = normalize("Quán bia số 25 phố Hàng Bông, phường Hàng Gai, quận Hoàn Kiếm lấn vỉa hè")
    found = parse(text)
    assert text[found.house_number.start:found.house_number.end] == "25"
    assert text[found.street.start:found.street.end] == "Hàng Bông"
    assert [text[u.name.start:u.name.end] for u in found.units] == ["Hàng Gai", "Hoàn Kiếm"]


def test_the_clean_address_says_where_to_walk_and_what_it_was_called() -> None:
    result = resolve_text("quán bia số 25 phố Hàng Bông, phường Hàng Gai, quận Hoàn Kiếm lấn hết vỉa hè")
    assert result.address.display("Phường Hoàn Kiếm") == \
        "Số 25 phố Hàng Bông, Phường Hoàn Kiếm (cũ: phường Hàng Gai, quận Hoàn Kiếm)"
    assert "lấn" not in result.address_text and "quán" not in result.address_text
    pin = AddressParts(latitude=21.02712, longitude=105.83551)
    assert pin.display("Phường Văn Miếu - Quốc Tử Giám") == \
        "Vị trí đã chia sẻ (21.02712, 105.83551), Phường Văn Miếu - Quốc Tử Giám"


def test_place_keys_join_the_same_house_and_only_it() -> None:
    a = resolve_text("số 25 phố Hàng Bông").address
    b = resolve_text("25 hang bong").address
    c = resolve_text("số 52 phố Hàng Bông").address
    assert place_key(a) == place_key(b) != place_key(c)
    assert place_key(resolve_text("phố Hàng Bông").address) is None  # a street alone is too wide


def test_earlier_parts_are_kept_when_the_ward_comes_later() -> None:
    first = resolve_text("số 25 Hàng Bông").address
    later = first.merged(resolve_text("phường Hoàn Kiếm").address)
    assert (later.house_number, later.street, later.new_ward) == ("25", "Hàng Bông", "Phường Hoàn Kiếm")
    moved = later.merged(resolve_text("à nhầm, số 8 phố Hàng Gai").address)
    assert (moved.house_number, moved.street) == ("8", "Hàng Gai")
