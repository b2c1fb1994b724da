"""The public page /tra-cuu over HTTP (the real app, on SQLite and PostgreSQL): a report looked
up by its code shows its public facts only; unknown and malformed codes answer alike, with the
same database work and no sooner than the others; lookups are limited per client address;
no public body (page or CSV) carries a phone number, a sender id or the citizen's words; the
league table's figures, order and CSV match reports created here."""
from __future__ import annotations

import asyncio
import csv
import io
import re
import time
from pathlib import Path
from typing import AsyncIterator

import aiohttp
import pytest_asyncio
from PIL import Image
from sqlalchemy import event

from bot import statuses
from bot.address.parts import AddressParts
from bot.media.links import photo_url
from bot.public.league import BAD_MONTH, BAD_SORT, CSV_HEADER
from bot.publication import page_url
from bot.staff.workflow import ActionInput, perform
from bot.storage.db import Database
from bot.storage.feedback import rate_report, reopen_report
from bot.storage.reports import change_status, submit_report
from bot.web.routes.public import LOOKUP_LIMIT, LOOKUP_SECONDS
from tests.helpers.public import public_server, seed_month
from tests.helpers.reports import sample_draft
from tests.helpers.staff import WARD_A, WARD_B, officer

PHONE = "0987654321"
SENDER = "zalo-user-5517730042"
DESCRIPTION = "Nhà bà Tư bán nước chè chiếm hết vỉa hè, tôi ở ngay đối diện"
CITIZEN_TEXT = "nha ba tu ban nuoc che chiem het via he, toi o doi dien so 14"
LANDMARK = "cổng trường Tiểu học Khâm Thiên"
INTERNAL_NOTE = "Gọi lại cho người phản ánh chị Hằng 0912 000 111 trước khi xuống"
REOPEN_WORDS = "vẫn bày ra, số em 0977 888 999 cứ gọi"
RESULT_NOTE = "Đã lập biên bản, yêu cầu dọn toàn bộ bàn ghế; vỉa hè đã thông thoáng"
NOT_A_CODE = "<b>hello</b>"


@pytest_asyncio.fixture
async def site(db: Database, tmp_path: Path) -> AsyncIterator[tuple[str, Path]]:
    async with public_server(db, tmp_path) as url:
        yield url, tmp_path


def client(url: str, ip: str = "203.0.113.7") -> aiohttp.ClientSession:
    """A visitor at `ip` (the server trusts 127.0.0.1 as its proxy)."""
    return aiohttp.ClientSession(base_url=url, headers={"X-Forwarded-For": ip})


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (30, 120, 60)).save(out, "PNG")
    return out.getvalue()


async def private_report(db: Database, **changes: object) -> str:
    draft = sample_draft(phone=PHONE, sender_id=SENDER, channel="zalo", description=DESCRIPTION,
                         citizen_text=CITIZEN_TEXT, latitude=21.01861, longitude=105.83012,
                         photo_urls=["http://127.0.0.1/uploads/" + "c" * 32 + ".jpg"],
                         address=AddressParts(house_number="14", alley="5", street="Khâm Thiên", street_kind="phố",
                                              landmark=LANDMARK, old_ward="phường Khâm Thiên",
                                              old_district="quận Đống Đa"), **changes)
    return (await submit_report(db, draft)).code


async def handled_with_photo(db: Database, tmp: Path) -> tuple[str, str]:
    """A report handled by its ward with a result note and a stored photo, after an internal
    note; returns its code and the photo's file name."""
    code = await private_report(db)
    name = "a" * 32 + ".png"
    (tmp / "uploads").mkdir(exist_ok=True)
    (tmp / "uploads" / name).write_bytes(png())
    staff = await officer(db, "canbo.a", WARD_A)
    await perform(db, staff, code, "note", ActionInput(note=INTERNAL_NOTE))
    await perform(db, staff, code, "handle", ActionInput(note=RESULT_NOTE, photo_url=photo_url("http://127.0.0.1", name)))
    return code, name


async def test_a_real_code_shows_the_public_facts_and_the_result_photo(site: tuple[str, Path], db: Database) -> None:
    url, tmp = site
    code, photo = await handled_with_photo(db, tmp)
    async with client(url) as http:
        answer = await http.get("/tra-cuu", params={"ma": code.lower().replace("-", " ")})  # typed loosely
        html = await answer.text()
        assert answer.status == 200 and answer.headers["Cache-Control"] == "no-store"
        for shown in (f'<span class="code">{code}</span>', 'data-testid="lookup-status">Đã xử lý<',
                      "Lấn chiếm vỉa hè, lòng đường", "UBND Phường Văn Miếu - Quốc Tử Giám",
                      'data-testid="lookup-place">Số 14 ngõ 5 phố Khâm Thiên<', "khoảng 21.019, 105.830",
                      "Ngày gửi", "Cập nhật lần cuối", "Hạn xử lý", RESULT_NOTE, "Ảnh kết quả xử lý"):
            assert shown in html, shown
        for hidden in (PHONE, SENDER, DESCRIPTION, CITIZEN_TEXT, LANDMARK, INTERNAL_NOTE, "c" * 32, "Khâm Thiên, quận",
                       "21.01861"):  # the exact point the citizen shared
            assert hidden not in html, hidden
        link = re.search(rf'<img src="([^"]*{photo}\?e=\d+&amp;s=[^"]+)"', html)
        assert link, "the result photo is shown through a signed link"
        served = await http.get(link.group(1).replace("&amp;", "&").removeprefix("http://127.0.0.1"))
        assert served.status == 200 and served.headers["Content-Type"] == "image/png"
        assert (await http.get(f"/uploads/{photo}")).status == 404  # the bare address still shows nothing


async def test_rejected_merged_and_reopened_reports(site: tuple[str, Path], db: Database) -> None:
    url, _tmp = site
    staff = await officer(db, "canbo.a", WARD_A)
    rejected, original, merged, reopened = [await private_report(db) for _ in range(4)]
    await perform(db, staff, rejected, "reject", ActionInput(note="Không thuộc thẩm quyền của phường"))
    await perform(db, staff, merged, "duplicate", ActionInput(original_code=original))
    await perform(db, staff, reopened, "handle", ActionInput(note=RESULT_NOTE))
    await reopen_report(db, reopened, SENDER, REOPEN_WORDS)
    async with client(url) as http:
        html = await (await http.get("/tra-cuu", params={"ma": rejected})).text()
        assert ">Từ chối<" in html and "Lý do từ chối" in html and "Không thuộc thẩm quyền của phường" in html
        html = await (await http.get("/tra-cuu", params={"ma": merged})).text()
        assert ">Đã gộp<" in html and f'href="/tra-cuu?ma={original}"' in html
        html = await (await http.get("/tra-cuu", params={"ma": reopened})).text()
        assert ">Đang xử lý<" in html  # the old result is not the answer any more, nor the citizen's words
        assert RESULT_NOTE not in html and "0977" not in html and "vẫn bày ra" not in html


async def test_unknown_and_malformed_codes_answer_alike(site: tuple[str, Path], db: Database) -> None:
    url, _tmp = site
    real = await private_report(db)
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731 — (conn, cursor, statement, …)
    event.listen(db.engine.sync_engine, "before_cursor_execute", listener)
    bodies, work, took = {}, {}, {}
    try:
        async with client(url) as http:
            for typed in (real, "PA-222222", "PA-0O1I22", NOT_A_CODE, "x" * 500):
                statements.clear()
                started = time.perf_counter()
                answer = await http.get("/tra-cuu", params={"ma": typed})
                took[typed] = time.perf_counter() - started
                bodies[typed] = (answer.status, await answer.text())
                work[typed] = [s for s in statements if "rate_counters" not in s]
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", listener)
    shown = {typed: body.replace(typed[:40] if typed != NOT_A_CODE else "&lt;b&gt;hello&lt;/b&gt;", "…")
             for typed, (_status, body) in bodies.items() if typed != real}
    assert len(set(shown.values())) == 1, "the same page, whatever was typed"
    assert {status for typed, (status, _body) in bodies.items() if typed != real} == {404}
    assert "Không tìm thấy phản ánh nào có mã" in next(iter(shown.values()))
    assert "<b>hello</b>" not in bodies[NOT_A_CODE][1]
    assert len({len(w) for w in work.values()}) == 1, work  # the same selects, whatever was typed
    assert min(took.values()) >= LOOKUP_SECONDS


async def test_lookups_are_limited_per_address(site: tuple[str, Path], db: Database) -> None:
    url, _tmp = site
    code = await private_report(db)
    async with client(url, "198.51.100.4") as http:
        answers = await asyncio.gather(*(http.get("/tra-cuu", params={"ma": code if n % 2 else "PA-222222"})
                                         for n in range(LOOKUP_LIMIT + 10)))
        statuses_seen = [a.status for a in answers]
        assert statuses_seen.count(429) == 10 and set(statuses_seen) == {200, 404, 429}  # the limit, in parallel
        for refused in (a for a in answers if a.status == 429):
            text = await refused.text()
            assert "Bạn đã tra cứu nhiều lần trong thời gian ngắn" in text and "thử lại sau" in text
            assert 'data-testid="lookup-result"' not in text and 'data-testid="lookup-missing"' not in text
        assert (await http.get("/tra-cuu")).status == 200  # the league table is not limited
    async with client(url, "198.51.100.5") as other:
        assert (await other.get("/tra-cuu", params={"ma": code})).status == 200  # another address


async def test_no_personal_data_in_any_public_body(site: tuple[str, Path], db: Database) -> None:
    url, tmp = site
    handled, _photo = await handled_with_photo(db, tmp)
    await rate_report(db, handled, SENDER, "acceptable")
    staff = await officer(db, "canbo.b", WARD_B)
    codes = [handled] + [await private_report(db, ward_code=WARD_B) for _ in range(3)]
    await perform(db, staff, codes[1], "reject", ActionInput(note="Đã xác minh, không có vi phạm"))
    await perform(db, staff, codes[2], "handle", ActionInput(note=RESULT_NOTE))
    await reopen_report(db, codes[2], SENDER, REOPEN_WORDS)
    await change_status(db, codes[3], statuses.ACKNOWLEDGED, "canbo.b", f"Đã liên hệ số {PHONE}")
    async with client(url) as http:
        bodies = [await (await http.get("/tra-cuu", params={"ma": code})).text() for code in codes]
        this_month = (await (await http.get("/tra-cuu")).text())
        month = re.search(r'<option value="(\d{4}-\d{2})"', this_month).group(1)  # the newest: this month
        bodies += [await (await http.get("/tra-cuu", params={"thang": month})).text(),
                   (await (await http.get("/tra-cuu/bang-xep-hang.csv", params={"thang": month})).read()).decode("utf-8-sig")]
    assert 'data-testid="league-received">4<' in bodies[-2]  # the reports are in the table
    for body in bodies:
        for private in (PHONE, "0912 000 111", "0977 888 999", SENDER, DESCRIPTION, CITIZEN_TEXT, LANDMARK,
                        INTERNAL_NOTE, REOPEN_WORDS, "c" * 32):
            assert private not in body, private
        assert not re.search(r"0\d{9}|0\d{3} \d{3} \d{3}", body), "no phone number of any shape"


async def test_the_league_table_of_a_month(site: tuple[str, Path], db: Database) -> None:
    url, _tmp = site
    seeded = await seed_month(db)
    async with client(url) as http:
        answer = await http.get("/tra-cuu")  # default: the last full month
        html = await answer.text()
        assert answer.status == 200 and "max-age" in answer.headers["Cache-Control"]
        assert f'<option value="{seeded.month.key}" selected>' in html and seeded.month.label in html
        for shown in ('data-testid="league-received">5<', 'data-testid="league-handled">4<',
                      'data-testid="league-on-time">40%<', 'data-testid="league-handle-time">5 ngày<',
                      'data-testid="league-satisfied">66,7%<', "<svg", 'role="img"',
                      "từ 95%: 0 phường, xã; 85–95%: 0 phường, xã; 70–85%: 0 phường, xã; 50–70%: 1 phường, xã; "
                      "dưới 50%: 1 phường, xã.", "Hài lòng: <b>33,3%</b>", 'aria-sort="descending"'):
            assert shown in html, shown
        assert wards(html) == [WARD_A, WARD_B, "00292", "00256"]  # best on-time rate first, then nothing to judge
        row_a = re.search(rf'data-ward="{WARD_A}">(.*?)</tr>', html, re.S).group(1)
        assert cells(row_a) == ["Phường Văn Miếu - Quốc Tử Giám", "2", "2", "50%", "4 ngày 12 giờ", "50%", "50%", "0%", "2"]
        row_b = re.search(rf'data-ward="{WARD_B}">(.*?)</tr>', html, re.S).group(1)
        assert cells(row_b) == ["Phường Kim Liên", "3", "2", "33,3%", "6 ngày", "0%", "0%", "100%", "1"]
        row_empty = re.search(r'data-ward="00292">(.*?)</tr>', html, re.S).group(1)
        assert cells(row_empty) == ["Phường Bạch Mai", "0", "0", "—", "—", "—", "—", "—", "0"]

        async def order(**query: str) -> list[str]:
            return wards(await (await http.get("/tra-cuu", params={"thang": seeded.month.key, **query})).text())
        assert await order(sap_xep="nhan", chieu="giam") == [WARD_B, WARD_A, "00292", "00256"]
        assert await order(sap_xep="thoi_gian", chieu="tang") == [WARD_A, WARD_B, "00292", "00256"]
        assert await order(sap_xep="thoi_gian", chieu="giam") == [WARD_B, WARD_A, "00292", "00256"]
        assert await order(sap_xep="ten") == ["00292", "00256", WARD_B, WARD_A]  # Vietnamese order
        before = await order(thang=seeded.month.previous.key, sap_xep="nhan")
        assert before[0] == WARD_A

        answer = await http.get("/tra-cuu/bang-xep-hang.csv", params={"thang": seeded.month.key, "sap_xep": "nhan"})
        raw = await answer.read()
        assert answer.status == 200 and answer.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert answer.headers["Content-Disposition"] == f'attachment; filename="ket-qua-xu-ly-phan-anh-{seeded.month.key}.csv"'
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert tuple(rows[0]) == CSV_HEADER and len(rows) == 1 + 4 + 1
        assert rows[1] == [WARD_B, "Phường Kim Liên", "3", "2", "0.333", "144.0", "1", "0.000", "0.000", "1.000"]
        assert rows[2] == [WARD_A, "Phường Văn Miếu - Quốc Tử Giám", "2", "2", "0.500", "108.0", "2", "0.500", "0.500",
                           "0.000"]
        assert rows[3] == ["00292", "Phường Bạch Mai", "0", "0", "", "", "0", "", "", ""]
        assert rows[-1] == ["city", "Toàn thành phố", "5", "4", "0.400", "120.0", "3", "0.333", "0.333", "0.333"]


async def test_bad_input_gets_a_clear_answer(site: tuple[str, Path]) -> None:
    url, _tmp = site
    async with client(url) as http:
        for query, status, message in (({"thang": "tháng mười"}, 400, BAD_MONTH), ({"thang": "2025-13"}, 400, BAD_MONTH),
                                       ({"thang": "2999-01"}, 400, "chưa đến"), ({"thang": "2024-12"}, 400, "7/2025"),
                                       ({"sap_xep": "sdt"}, 400, BAD_SORT), ({"chieu": "ngang"}, 400, "tăng hoặc giảm"),
                                       ({"ma": ""}, 200, "Bạn nhập mã phản ánh")):
            answer = await http.get("/tra-cuu", params=query)
            assert answer.status == status and message in await answer.text(), query
        csv_answer = await http.get("/tra-cuu/bang-xep-hang.csv", params={"thang": "x"})
        assert csv_answer.status == 400 and BAD_MONTH in await csv_answer.text()


def test_the_public_link_of_a_report() -> None:
    assert page_url("https://phananh.example/", "PA-7K2Q9X") == "https://phananh.example/tra-cuu?ma=PA-7K2Q9X"


def wards(html: str) -> list[str]:
    return re.findall(r'data-testid="league-row" data-ward="(\d+)"', html)


def cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]


async def test_the_chat_page_links_to_the_public_page(site: tuple[str, Path]) -> None:
    url, _tmp = site
    async with client(url) as http:
        chat = await (await http.get("/")).text()
    assert '<footer class="chat-footer"' in chat and 'href="/tra-cuu"' in chat


async def test_a_server_with_its_own_database_computes_the_default_month_at_start(tmp_path: Path) -> None:
    from aiohttp.test_utils import TestServer

    from bot.public.league import default_month
    from bot.staff.localtime import local_today
    from bot.storage.db import migrate
    from bot.web import create_app
    from bot.web.routes.public import LEAGUE_KEY
    from tests.helpers.public import SECRET
    from tests.helpers.web import web_settings

    settings = web_settings(tmp_path, CONSOLE_SECRET_KEY=SECRET)
    migrate(settings.database_url)
    app = create_app(settings)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        for _ in range(100):
            if app[LEAGUE_KEY].holds(default_month(local_today())):
                break
            await asyncio.sleep(0.05)
        assert app[LEAGUE_KEY].holds(default_month(local_today()))
    finally:
        await server.close()
