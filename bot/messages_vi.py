"""Vietnamese texts shown to citizens from code paths outside Rasa's domain responses."""
from bot.statuses import CATEGORY_LABELS, CITIZEN_HANDLED, CONSTRUCTION, SIDEWALK
from bot.text import fold

SERVICE_UNAVAILABLE = (
    "Xin lỗi bạn, hệ thống đang gặp sự cố tạm thời nên chưa xử lý được yêu cầu này. "
    "Thông tin bạn đã gửi vẫn được giữ nguyên, bạn vui lòng thử lại sau ít phút nhé."
)
SUBMIT_NOT_SENT = (
    "Xin lỗi bạn, hệ thống đang gián đoạn nên phản ánh CHƯA được gửi. Thông tin bạn nhập vẫn được giữ nguyên: "
    "bạn bấm \"Gửi phản ánh\" để thử lại sau ít phút nhé."
)
DATABASE_UNAVAILABLE = (
    "Xin lỗi bạn, hệ thống lưu trữ đang tạm thời gián đoạn nên phản ánh CHƯA được ghi nhận. "
    "Thông tin bạn nhập vẫn được giữ lại: bạn bấm \"Gửi phản ánh\" để thử lại sau ít phút nhé."
)

MESSAGE_NOT_HANDLED = (
    "Xin lỗi bạn, hệ thống đang gặp sự cố tạm thời nên chưa xử lý được tin nhắn vừa rồi. "
    "Những gì bạn nhắn trước đó vẫn được giữ; bạn vui lòng gửi lại tin nhắn này sau ít phút nhé."
)

# --- every channel -----------------------------------------------------------------------
MESSAGE_CUT = ("Tin nhắn của bạn dài hơn {limit} ký tự nên mình chỉ đọc được phần đầu. "
               "Nếu còn thông tin quan trọng, bạn gửi tiếp trong tin nhắn sau nhé.")
NO_ANSWER = ("Mình đã nhận được tin nhắn của bạn. Bạn muốn phản ánh vi phạm nào, hay tra cứu phản ánh đã gửi? "
             "Bạn có thể kể sự việc và địa điểm, ví dụ: \"quán bày bàn ghế chiếm vỉa hè ở số 10 phố Huế\".")
CATEGORY_BUTTONS = ((CATEGORY_LABELS[SIDEWALK], "/report_sidewalk"),
                    (CATEGORY_LABELS[CONSTRUCTION], "/report_construction"))
MAIN_MENU_BUTTONS = (*CATEGORY_BUTTONS, ("Tra cứu phản ánh", "/check_status"))

# --- report intake -------------------------------------------------------------------

ASK_LOCATION = (
    "Vi phạm xảy ra ở đâu? Bạn cho mình địa chỉ cụ thể (số nhà, ngõ, phố) và phường hoặc xã nhé. "
    "Địa chỉ cũ kiểu \"phường Khâm Thiên, quận Đống Đa\" cũng được. Bạn cũng có thể bấm 📍 để gửi vị trí."
)
LOCATION_CANDIDATES = {
    "split_or_several_wards": "Địa chỉ này hiện thuộc một trong các phường, xã dưới đây (phường cũ đã được sắp xếp lại từ 01/7/2025). Bạn chọn giúp mình đúng nơi xảy ra vi phạm nhé:",
    "street_only": "Tuyến phố này có thể đi qua nhiều phường, xã. Vi phạm nằm ở đoạn thuộc phường, xã nào ạ?",
    "street_in_district": "Mình chưa chắc đoạn phố này thuộc phường, xã nào. Bạn chọn phường, xã nơi xảy ra vi phạm "
                          "bên dưới, hoặc nhắn giúp mình tên phường, xã nhé:",
    "landmark": "Địa điểm bạn tả nằm gần ranh giới một số phường, xã. Bạn chọn giúp mình nơi xảy ra vi phạm nhé:",
    "district_only": "Quận, huyện cũ nay gồm nhiều phường, xã. Bạn chọn phường, xã nơi xảy ra vi phạm, hoặc nhắn thêm số nhà, tên phố nhé:",
    "coordinates": "Vị trí bạn chia sẻ nằm gần {ward}. Bạn xác nhận giúp mình phường, xã nơi xảy ra vi phạm nhé:",
    "bare_name": "Bạn cho mình biết vi phạm ở phường, xã nào nhé. Có phải nơi dưới đây không?",
    "parts_disagree": "Phường, xã và quận, huyện bạn nhập chưa khớp nhau. Bạn chọn giúp mình nơi xảy ra vi phạm nhé:",
    "typo_or_outside": "Mình chưa chắc tên phường, xã bạn nhập. Có phải bạn muốn nói nơi dưới đây không? "
                       "(Mình chỉ tiếp nhận phản ánh trên địa bàn Hà Nội.)",
    "unit_type_mismatch": "Hà Nội không có đơn vị đúng như tên bạn nhập, chỉ có nơi cùng tên dưới đây. Bạn chọn giúp mình nhé:",
}
LOCATION_OUTSIDE = (
    "Địa điểm này có vẻ nằm ngoài thành phố Hà Nội. Mình chỉ tiếp nhận phản ánh trên địa bàn Hà Nội; "
    "với địa phương khác, bạn vui lòng liên hệ kênh tiếp nhận của tỉnh, thành phố đó nhé."
)
ADDRESS_NOTED = "Mình đã ghi nhận địa chỉ \"{place}\"."
LOCATION_NEED_WARD = (
    "Mình đã ghi nhận địa chỉ \"{place}\". Bạn cho mình biết thêm phường, xã (hoặc phường và quận cũ) "
    "nơi có địa chỉ này nhé."
)
LOCATION_NOT_FOUND = (
    "Mình chưa xác định được phường, xã từ địa chỉ này. Bạn ghi rõ tên phường/xã (hoặc phường và quận cũ) giúp mình nhé, "
    "ví dụ: \"số 5 ngõ 12 phố Khâm Thiên, phường Văn Miếu - Quốc Tử Giám\"."
)
LOCATION_DETAIL_NOT_READ = "Mình chưa đọc được số nhà hay điểm mốc trong tin nhắn này, mình sẽ dùng vị trí bạn đã chia sẻ nhé."
PHOTO_NOT_RECEIVED = "Mình chưa nhận được ảnh. Bạn bấm nút 📷 để gửi ảnh, hoặc bấm \"Bỏ qua\" nếu không có ảnh nhé."
MAX_PHOTOS = 5
PHOTO_COUNTED = "Đã nhận ảnh {count}/{limit}."
PHOTO_COUNTED_MORE = "Đã nhận ảnh {count}/{limit}. Bạn có thể gửi thêm ảnh bất cứ lúc nào trước khi gửi phản ánh."
PHOTO_LIMIT = "Mỗi phản ánh nhận tối đa {limit} ảnh, nên ảnh vừa rồi mình chưa lưu. Các ảnh trước vẫn được giữ nguyên."
DETAIL_NOTED = "Mình đã ghi thêm chi tiết này vào nội dung phản ánh."
PLACE_CORRECTED = "Đã sửa địa điểm thành {place}."
PLACE_CORRECTION_PENDING = "Mình sẽ sửa địa điểm theo thông tin mới của bạn."
CATEGORY_CORRECTED = "Đã sửa loại vi phạm thành \"{label}\"."
LOCATION_HELP = (
    "Không sao ạ. Bạn cho mình tên phố, số nhà hoặc một điểm mốc gần đó (chợ, trường học, ngõ...) "
    "để mình xác định phường, xã; hoặc bấm 📍 để gửi vị trí. Nếu vẫn không rõ, bạn nhắn \"không rõ\" nhé."
)
LOCATION_UNCERTAIN = (
    "Không sao ạ. Mình chuyển phản ánh đến {ward} (nơi tiếp nhận phần lớn địa bàn phường, xã cũ) và ghi chú "
    "\"phường chưa chắc chắn\" để cán bộ chuyển đúng nơi nếu cần. Các nơi có thể phụ trách: {candidates}."
)
PHOTO_WITHOUT_REPORT = "Mình đã nhận ảnh của bạn. Ảnh này cho thấy vi phạm nào?"
CONTACT_INVALID = "Số điện thoại chưa đúng (cần 10 số, ví dụ 0912345678). Bạn nhập lại, hoặc bấm \"Ẩn danh\" nhé."
DESCRIPTION_TOO_SHORT = "Bạn mô tả chi tiết hơn một chút giúp mình nhé (ít nhất vài từ về vi phạm)."
CONFIRM_PROMPT = "Bạn kiểm tra lại thông tin phản ánh:"
ADD_CONTENT_PAYLOAD, REPLACE_CONTENT_PAYLOAD = "/inform{\"content_edit\": \"add\"}", "/inform{\"content_edit\": \"replace\"}"
CONFIRM_BUTTONS = (("Gửi phản ánh", "/affirm"), ("Bổ sung nội dung", ADD_CONTENT_PAYLOAD),
                   ("Sửa nội dung", REPLACE_CONTENT_PAYLOAD), ("Sửa địa điểm", "/deny"), ("Hủy", "/cancel"))
ASK_CONFIRM_AGAIN = "Mình chưa rõ ý bạn. Bạn chọn một trong các nút dưới đây, hoặc nhắn \"gửi\" để gửi phản ánh nhé."
ASK_WHAT_TO_FIX = "Bạn muốn sửa thông tin nào ạ? Bạn chọn nút dưới đây, hoặc nhắn nội dung cần sửa nhé."
ASK_CONTENT_ADD = "Bạn nhắn nội dung cần bổ sung nhé, mình sẽ ghi tiếp vào phần nội dung."
ASK_CONTENT_REPLACE = "Bạn nhắn nội dung mới nhé, mình sẽ thay cho phần nội dung hiện tại."


NOTIFY_LINE = "- Nhận kết quả qua tin nhắn Zalo: {answer}"
NOTIFY_ON = "Đã ghi nhận: khi có kết quả, mình sẽ nhắn qua Zalo đến số điện thoại của bạn."
NOTIFY_OFF = "Đã ghi nhận: mình sẽ không nhắn kết quả qua Zalo đến số điện thoại của bạn."
NOTIFY_NEEDS_PHONE = "Để nhận kết quả qua tin nhắn Zalo, bạn cho mình số điện thoại nhé."


def report_summary(category: str, ward_name: str, address: str, description: str, photos: int, contact: str,
                   uncertain: bool = False, notify: bool | None = None) -> str:
    """The summary as a Markdown list that reads the same as plain text (a blank line, then "- ")."""
    place = address if address and fold(ward_name) in fold(address) else \
        " — ".join(p for p in (address, ward_name) if p)
    if uncertain:
        place += " (phường chưa chắc chắn)"
    lines = [
        f"- Loại vi phạm: {CATEGORY_LABELS.get(category, category)}",
        f"- Địa điểm: {place}",
        f"- Nội dung: {description}",
        f"- Ảnh: {photos} ảnh" if photos else "- Ảnh: không có",
        f"- Liên hệ: {contact}",
    ]
    if notify is not None:  # a phone number on Zalo: ZNS after the reply window, if agreed
        lines.append(NOTIFY_LINE.format(answer="Có" if notify else "Không"))
    return CONFIRM_PROMPT + "\n\n" + "\n".join(lines)


def report_received(code: str, ward_name: str, due: str, public_link: str | None = None) -> str:
    """`public_link`: the report's public page (`bot.publication.page_url`)."""
    follow = f"Bạn nhắn \"tra cứu {code}\" bất cứ lúc nào để xem tiến độ"
    follow += f", hoặc xem tại {public_link}. " if public_link else ". "
    return (
        f"Phản ánh của bạn đã được ghi nhận với mã {code} và chuyển đến UBND {ward_name}. "
        f"Thời hạn xử lý dự kiến: {due}. {follow}"
        "Cảm ơn bạn đã chung tay giữ gìn trật tự đô thị!"
    )


# --- status ----------------------------------------------------------------------------
STATUS_NOT_FOUND = "Mình không tìm thấy phản ánh có mã {code}. Bạn kiểm tra lại mã (dạng PA-XXXXXX) giúp mình nhé."
STATUS_NO_REPORTS = "Mình chưa thấy phản ánh nào bạn gửi từ tài khoản này. Nếu có mã phản ánh (dạng PA-XXXXXX), bạn nhắn mã để tra cứu nhé."
STATUS_LIST_HEADER = "Các phản ánh gần đây của bạn:"


def status_line(code: str, category_label: str, status_label: str, ward_name: str, created: str) -> str:
    """One report in the citizen's list; `status_label` is `bot.statuses.CITIZEN_LABELS`'s word."""
    return f"- {code} ({category_label.lower()}): {status_label} — {ward_name}, gửi ngày {created}"


def status_detail(code: str, category_label: str, status_label: str, ward_name: str, created: str,
                  updated: str, due: str, note: str | None) -> str:
    """A report looked up by its code; `status_label` is `bot.statuses.CITIZEN_LABELS`'s word."""
    lines = [
        f"- Trạng thái: {status_label}",
        f"- Đơn vị xử lý: UBND {ward_name}",
        f"- Ngày gửi: {created}; cập nhật lần cuối: {updated}",
        f"- Hạn xử lý: {due}",
    ]
    if note:
        lines.append(f"- Ghi chú mới nhất: {note}")
    return f"Phản ánh {code} ({category_label.lower()}):\n\n" + "\n".join(lines)

# --- when the bot is not sure it understood (two-stage fallback) -----------------------
# "Có phải bạn muốn …?" — one description per intent the bot may ask to confirm.
INTENT_DESCRIPTIONS = {
    "report_sidewalk": "phản ánh lấn chiếm vỉa hè, lòng đường",
    "report_construction": "phản ánh vi phạm trật tự xây dựng (xây không phép, sai phép, cơi nới)",
    "report_other": "báo một sự cố đô thị khác (đèn đường, rác thải, ổ gà, cống tắc…)",
    "check_status": "tra cứu kết quả xử lý phản ánh đã gửi",
    "reopen_report": "mở lại một phản ánh đã xử lý nhưng vẫn còn vi phạm",
    "inform": "cung cấp địa chỉ hoặc thêm thông tin cho phản ánh",
    "ask_capabilities": "biết mình có thể giúp gì",
    "greet": "chào hỏi",
    "goodbye": "kết thúc cuộc trò chuyện",
    "thank": "gửi lời cảm ơn",
    "affirm": "trả lời là đồng ý",
    "deny": "trả lời là không",
    "skip": "bỏ qua bước này",
    "cancel": "hủy phản ánh đang nhập",
    "stay_anonymous": "gửi phản ánh ẩn danh",
}
ASK_AFFIRMATION = "Mình chưa chắc đã hiểu đúng ý bạn. Có phải bạn muốn {description}?"
AFFIRM_BUTTON, DENY_BUTTON = "Đúng vậy", "Không phải"

# --- notifications: a report's status changed ------------------------------------------
# Each news says the status with the same word the citizen reads when looking the report up
# (`bot.statuses.CITIZEN_LABELS`: chờ xử lý, đã tiếp nhận, đang xử lý, đã xử lý, từ chối,
# đã gộp); tests/test_statuses_wording.py holds them together.
_STATUS_NEWS = {
    "new": "Phản ánh {code} của bạn đang chờ xử lý tại {ward}.",
    "acknowledged": "{ward} đã tiếp nhận phản ánh {code} của bạn.",
    "in_progress": "{ward} đang xử lý phản ánh {code} của bạn.",
    "handled": "{ward} đã xử lý xong phản ánh {code} của bạn.",
    "rejected": "{ward} từ chối xử lý phản ánh {code} của bạn.",
    "duplicate": "Phản ánh {code} của bạn trùng với một phản ánh đã có nên {ward} đã gộp để xử lý chung.",
}
_STATUS_NOTE = {"handled": "Kết quả: {note}", "rejected": "Lý do: {note}"}
STATUS_NEWS_FOOTER = "Bạn nhắn mã {code} bất cứ lúc nào để xem chi tiết."


def status_notification(code: str, status: str, ward_name: str, note: str | None = None,
                        photo_url: str | None = None) -> str:
    lines = [_STATUS_NEWS.get(status, "Phản ánh {code} của bạn vừa được cập nhật.").format(code=code, ward=ward_name)]
    if note and status in _STATUS_NOTE:
        lines.append(_STATUS_NOTE[status].format(note=note.strip()))
    if photo_url:
        lines.append(f"Ảnh kết quả xử lý: {photo_url}")
    lines.append(STATUS_NEWS_FOOTER.format(code=code))
    return "\n".join(lines)


def transfer_notification(code: str, ward_name: str) -> str:
    """The citizen's news when staff send the report to the ward that is responsible."""
    return "\n".join([
        f"Phản ánh {code} của bạn đã được chuyển đến UBND {ward_name} để xử lý theo đúng địa bàn.",
        STATUS_NEWS_FOOTER.format(code=code),
    ])


def transfer_history_note(from_ward: str, from_code: str, to_ward: str, to_code: str, reason: str) -> str:
    """The history entry of a transfer, for staff: both wards and the reason."""
    return f"Chuyển từ {from_ward} ({from_code}) sang {to_ward} ({to_code}). Lý do: {reason.strip()}"

# --- Zalo -------------------------------------------------------------------------------
ZALO_UNSUPPORTED = (
    "Mình chưa đọc được sticker, tệp hay tin nhắn thoại. Bạn nhắn bằng chữ, gửi ảnh 📷 "
    "hoặc chia sẻ vị trí 📍 giúp mình nhé."
)

ZALO_PHOTO_NOT_KEPT = (
    "Mình chưa tải được ảnh bạn vừa gửi (ảnh có thể quá lớn hoặc bị lỗi). "
    "Bạn gửi lại ảnh giúp mình nhé, ảnh JPEG hoặc PNG dưới 10 MB."
)

# --- satisfaction after "handled" -------------------------------------------------------
RATING_BUTTONS = (("Hài lòng", "satisfied"), ("Chấp nhận", "acceptable"), ("Chưa hài lòng", "unsatisfied"))
ASK_RATING = "Bạn đánh giá kết quả xử lý thế nào?"
RATING_THANKS = "Cảm ơn bạn đã đánh giá kết quả xử lý phản ánh {code}. Ý kiến của bạn giúp phường làm tốt hơn."
REOPENED = "Mình đã mở lại phản ánh {code} kèm ý kiến của bạn. {ward} sẽ xử lý lại và thông báo cho bạn."
REOPEN_WHICH = "Bạn muốn mở lại phản ánh nào? Đây là các phản ánh của bạn đã được xử lý trong {days} ngày qua:"
REOPEN_NOTHING = ("Mình không thấy phản ánh nào của bạn được xử lý trong {days} ngày qua. Nếu bạn có mã phản ánh "
                  "(dạng PA-XXXXXX), bạn nhắn kèm mã nhé; nếu vi phạm mới xảy ra, bạn kể sự việc và địa điểm để gửi phản ánh mới.")
REOPEN_NOT_HANDLED = ("Phản ánh {code} chưa ở trạng thái \"" + CITIZEN_HANDLED + "\" nên chưa cần mở lại: "
                      "phường vẫn đang theo dõi. Bạn nhắn mã {code} để xem tình trạng mới nhất nhé.")
ASK_REOPEN_REASON = {
    SIDEWALK: "Mình rất tiếc. Bạn cho mình biết hiện trạng còn vi phạm thế nào (ví dụ: quán vẫn bày bàn ghế ra vỉa hè) "
              "để phường xử lý lại nhé:",
    CONSTRUCTION: "Mình rất tiếc. Bạn cho mình biết hiện trạng còn vi phạm thế nào (ví dụ: công trình vẫn tiếp tục "
                  "xây thêm tầng) để phường xử lý lại nhé:",
    "": "Mình rất tiếc. Bạn cho mình biết hiện trạng còn vi phạm thế nào để phường xử lý lại nhé:",
}
RATING_NOT_YOURS = "Mình không tìm thấy phản ánh {code} trong các phản ánh bạn đã gửi."
RATING_NOT_HANDLED = ("Phản ánh {code} hiện không ở trạng thái \"" + CITIZEN_HANDLED + "\" nên chưa đánh giá được. "
                      "Bạn nhắn mã {code} để xem tình trạng mới nhất nhé.")


def rating_payload(code: str, rating: str) -> str:
    return '/rate_report{"report_code": "%s", "rating": "%s"}' % (code, rating)

# --- Open311 (what an integrating system shows its user) --------------------------------------
OPEN311_NOTICE = ("Phản ánh {code} do UBND {ward} tiếp nhận và xử lý; hạn xử lý: {due}. "
                  "Xem tình trạng và kết quả xử lý tại {url}")
OPEN311_WARD_UNCERTAIN = ("Phường, xã được xác định gần đúng theo tọa độ (phường cũ nay thuộc nhiều phường, xã): "
                          "cán bộ sẽ xác nhận hoặc chuyển đúng nơi.")
