"""The NLU inbox: which messages need review, how they are grouped and ordered."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.review.inbox import DENIED, FALLBACK, LOW_CONFIDENCE, InboxReader, ReviewGroup, fallback_threshold
from bot.review.labels import discard, label
from bot.staff.transcript import BOT, CITIZEN
from tests.review.fake_tracker import START, Row, bot, fallback, tracker, user

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def nlu_dir(tmp_path: Path) -> Path:
    path = tmp_path / "nlu"
    path.mkdir()
    return path


async def inbox(tmp_path: Path, rows: list[Row], nlu_dir: Path | None = None, **options) -> list[ReviewGroup]:
    reader = InboxReader(tracker(tmp_path / "tracker.db", rows))
    try:
        return await reader.groups(nlu_dir=nlu_dir or tmp_path, **options)
    finally:
        await reader.close()


def flagged(groups: list[ReviewGroup]) -> dict[str, tuple[str, ...]]:
    return {m.text: m.reasons for g in groups for m in g.messages}


def test_threshold_comes_from_the_fallback_classifier(tmp_path: Path) -> None:
    assert 0 < fallback_threshold(ROOT / "config.yml") < 1
    config = tmp_path / "config.yml"
    config.write_text("pipeline:\n  - name: DIETClassifier\n  - name: FallbackClassifier\n    threshold: 0.65\n")
    assert fallback_threshold(config) == 0.65
    config.write_text("pipeline:\n  - name: DIETClassifier\n")
    assert fallback_threshold(config) == 0.9
    assert fallback_threshold(tmp_path / "missing.yml") == 0.9


async def test_low_confidence_and_fallback(tmp_path: Path) -> None:
    groups = await inbox(tmp_path, [
        user("s1", 1, "quán nước chiếm hết chỗ đi bộ", confidence=0.62),
        user("s1", 2, "quán cà phê lấn chiếm vỉa hè", confidence=0.97),  # sure enough
        fallback("s2", 3, "cái cột điện nghiêng sắp đổ", guess="report_other", confidence=0.41),
        user("s3", 4, "hơi chắc", confidence=0.9),  # at the threshold is not below it
    ])
    assert flagged(groups) == {"cái cột điện nghiêng sắp đổ": (FALLBACK,),
                               "quán nước chiếm hết chỗ đi bộ": (LOW_CONFIDENCE,)}
    caught = groups[0].messages[0]
    assert (caught.sender_id, caught.intent, caught.confidence) == ("s2", "report_other", 0.41)
    assert caught.at.timestamp() == (START + timedelta(minutes=3)).timestamp()
    assert groups[1].messages[0].intent == "report_sidewalk" and groups[1].messages[0].confidence == 0.62


async def test_the_citizen_denied_the_bots_reading(tmp_path: Path) -> None:
    groups = await inbox(tmp_path, [
        user("a", 1, "nhà bên cạnh đổ đất ra đường"),
        bot("a", 1.1, "Bạn muốn phản ánh lấn chiếm vỉa hè?"),
        user("a", 2, "Không phải, xây dựng cơ", intent="inform"),
        user("b", 1, "có người đào đường"),
        user("b", 2, "ko phai", intent="inform"),  # folded, abbreviated
        user("c", 1, "báo cáo vụ này"),
        user("c", 2, "sai rồi", intent="deny"),
        fallback("d", 1, "cống bốc mùi quá"),
        bot("d", 1.1, "Có phải bạn muốn phản ánh lấn chiếm vỉa hè?", ("/report_sidewalk", "/out_of_scope")),
        user("d", 2, "/out_of_scope", intent="out_of_scope", confidence=1.0),
        user("e", 1, "cho hỏi giờ làm việc"),
        bot("e", 1.1, "Mình chỉ nhận phản ánh thôi ạ", ("/skip",)),
        user("e", 2, "/out_of_scope", intent="out_of_scope", confidence=1.0),  # no fallback question before
        user("f", 1, "quán lấn vỉa hè"),
        user("f", 2, "đây không phải lần đầu", intent="inform"),  # "không phải", but not a denial
    ])
    assert flagged(groups) == {"nhà bên cạnh đổ đất ra đường": (DENIED,), "có người đào đường": (DENIED,),
                               "báo cáo vụ này": (DENIED,), "cống bốc mùi quá": (FALLBACK, DENIED)}


async def test_payloads_are_not_shown(tmp_path: Path) -> None:
    groups = await inbox(tmp_path, [
        user("s1", 1, '/inform{"photo_url": "http://x/1.png"}', intent="inform", confidence=0.3),
        fallback("s1", 2, "/report_sidewalk"),
    ])
    assert groups == []


async def test_context_around_each_message(tmp_path: Path) -> None:
    groups = await inbox(tmp_path, [
        user("s1", 0, "chào bạn", intent="greet"),
        bot("s1", 0.1, "Chào bạn, bạn muốn phản ánh gì?"),
        user("s1", 1, "ở đầu ngõ có đống rác to", confidence=0.5),
        bot("s1", 1.1, "Bạn gửi ảnh nhé", ("/skip",)),
        user("s1", 2, "/skip", intent="skip", confidence=1.0),
        bot("s1", 2.1, "Cảm ơn bạn"),
        user("s1", 3, "tạm biệt", intent="goodbye"),
        user("other", 1.5, "người khác", intent="greet"),
    ])
    context = [(line.speaker, line.text) for line in groups[0].messages[0].context]
    assert context == [(CITIZEN, "chào bạn"), (BOT, "Chào bạn, bạn muốn phản ánh gì?"),
                       (CITIZEN, "ở đầu ngõ có đống rác to"), (BOT, "Bạn gửi ảnh nhé"), (CITIZEN, "Skip"),
                       (BOT, "Cảm ơn bạn")]


async def test_similar_messages_are_grouped_newest_first(tmp_path: Path) -> None:
    groups = await inbox(tmp_path, [
        user("s1", 1, "Quán cà phê lấn vỉa hè", confidence=0.5),
        user("s2", 2, "đèn đường hỏng", intent="report_other", confidence=0.5),
        user("s3", 3, "quan ca phe   lan via he!", confidence=0.6),  # same canonical form
        user("s4", 4, "xe máy đỗ kín vỉa hè trước cửa nhà số 5 phố huế suốt ngày", confidence=0.4),
        user("s5", 5, "xe máy đỗ kín vỉa hè trước cửa nhà số 5 phố huế suốt ngày luôn", confidence=0.4),  # 12/13
        user("s6", 6, "quán cà phê", confidence=0.5),  # 3 of 5 tokens: another group
    ])
    assert [[(m.sender_id) for m in g.messages] for g in groups] == [["s6"], ["s5", "s4"], ["s3", "s1"], ["s2"]]
    assert groups[1].text.endswith("luôn") and groups[1].at == groups[1].messages[0].at


async def test_since_and_limit(tmp_path: Path) -> None:
    rows = [user(f"s{n}", n * 10, f"tin nhắn số {n} khác hẳn {'x' * n}", confidence=0.5) for n in range(1, 6)]
    recent = await inbox(tmp_path, rows, since=START + timedelta(minutes=30))
    assert [g.messages[0].sender_id for g in recent] == ["s5", "s4", "s3"]
    (tmp_path / "tracker.db").unlink()
    assert [g.messages[0].sender_id for g in await inbox(tmp_path, rows, limit=2)] == ["s5", "s4"]


async def test_labelled_and_discarded_messages_are_not_shown_again(tmp_path: Path, nlu_dir: Path) -> None:
    rows = [user("s1", 1, "quán nước chiếm chỗ đi bộ", confidence=0.5),
            user("s2", 2, "Quan nuoc chiem cho di bo", confidence=0.5),
            user("s3", 3, "tôi hỏi linh tinh thôi", intent="out_of_scope", confidence=0.5),
            user("s4", 4, "sdt cua toi 0912 345 678", intent="inform", confidence=0.5),
            user("s5", 5, "cột điện nghiêng", intent="report_other", confidence=0.5)]
    assert len(await inbox(tmp_path, rows, nlu_dir)) == 4
    label("quán nước chiếm chỗ đi bộ", "report_sidewalk", nlu_dir=nlu_dir)
    discard("tôi hỏi linh tinh thôi", nlu_dir=nlu_dir)
    label("sdt cua toi 0987 111 222", "inform", nlu_dir=nlu_dir)  # the same once phone numbers are masked
    (tmp_path / "tracker.db").unlink()
    assert flagged(await inbox(tmp_path, rows, nlu_dir)) == {"cột điện nghiêng": (LOW_CONFIDENCE,)}


async def test_no_tracker_store_gives_an_empty_inbox(tmp_path: Path) -> None:
    for url in (f"sqlite:///{tmp_path / 'nothing.db'}", None):
        reader = InboxReader(url)
        try:
            assert await reader.groups(nlu_dir=tmp_path) == []
        finally:
            await reader.close()
