"""Vietnamese texts shown to citizens from code paths outside Rasa's domain responses."""

SERVICE_UNAVAILABLE = (
    "Xin lỗi bạn, hệ thống đang gặp sự cố tạm thời nên chưa xử lý được yêu cầu này. "
    "Thông tin bạn đã gửi vẫn được giữ nguyên, bạn vui lòng thử lại sau ít phút nhé."
)
DATABASE_UNAVAILABLE = (
    "Xin lỗi bạn, hệ thống lưu trữ đang tạm thời gián đoạn nên phản ánh CHƯA được ghi nhận. "
    "Thông tin bạn nhập vẫn được giữ lại: bạn bấm \"Gửi phản ánh\" để thử lại sau ít phút nhé."
)

# --- every channel -----------------------------------------------------------------------
MESSAGE_CUT = ("Tin nhắn của bạn dài hơn {limit} ký tự nên mình chỉ đọc được phần đầu. "
               "Nếu còn thông tin quan trọng, bạn gửi tiếp trong tin nhắn sau nhé.")
NO_ANSWER = ("Mình đã nhận được tin nhắn của bạn. Bạn muốn phản ánh vi phạm nào, hay tra cứu phản ánh đã gửi? "
             "Bạn có thể kể sự việc và địa điểm, ví dụ: \"quán bày bàn ghế chiếm vỉa hè ở số 10 phố Huế\".")
MAIN_MENU_BUTTONS = (("Lấn chiếm vỉa hè, lòng đường", "/report_sidewalk"),
                     ("Vi phạm trật tự xây dựng", "/report_construction"),
                     ("Tra cứu phản ánh", "/check_status"))

# --- report intake -------------------------------------------------------------------
CATEGORY_LABELS = {"sidewalk": "Lấn chiếm vỉa hè, lòng đường", "construction": "Vi phạm trật tự xây dựng"}

ASK_LOCATION = (
    "Vi phạm xảy ra ở đâu? Bạn cho mình địa chỉ cụ thể (số nhà, ngõ, phố) và phường hoặc xã nhé. "
    "Địa chỉ cũ kiểu \"phường Khâm Thiên, quận Đống Đa\" cũng được. Bạn cũng có thể bấm 📍 để gửi vị trí."
)
LOCATION_CANDIDATES = {
    "split_or_several_wards": "Địa chỉ này hiện thuộc một trong các phường, xã dưới đây (phường cũ đã được sắp xếp lại từ 01/7/2025). Bạn chọn giúp mình đúng nơi xảy ra vi phạm nhé:",
    "street_only": "Tuyến phố này đi qua nhiều phường. Vi phạm nằm ở đoạn thuộc phường nào ạ?",
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
OTHER_WARD_BUTTON = "Phường, xã khác"
LOCATION_DETAIL_NOT_READ = "Mình chưa đọc được số nhà hay điểm mốc trong tin nhắn này, mình sẽ dùng vị trí bạn đã chia sẻ nhé."
PHOTO_NOT_RECEIVED = "Mình chưa nhận được ảnh. Bạn bấm nút 📷 để gửi ảnh, hoặc bấm \"Bỏ qua\" nếu không có ảnh nhé."
PHOTO_RECEIVED = "Mình đã nhận ảnh của bạn."
PHOTO_WITHOUT_REPORT = "Mình đã nhận ảnh của bạn. Ảnh này cho thấy vi phạm nào?"
CATEGORY_BUTTONS = (("Lấn chiếm vỉa hè, lòng đường", "/report_sidewalk"), ("Vi phạm trật tự xây dựng", "/report_construction"))
CONTACT_INVALID = "Số điện thoại chưa đúng (cần 10 số, ví dụ 0912345678). Bạn nhập lại, hoặc bấm \"Ẩn danh\" nhé."
DESCRIPTION_TOO_SHORT = "Bạn mô tả chi tiết hơn một chút giúp mình nhé (ít nhất vài từ về vi phạm)."
CONFIRM_PROMPT = "Bạn kiểm tra lại thông tin phản ánh:"
CONFIRM_BUTTONS = (("Gửi phản ánh", "/affirm"), ("Sửa địa điểm", "/deny"), ("Hủy", "/cancel"))
ASK_CONFIRM_AGAIN = "Bạn bấm \"Gửi phản ánh\" để gửi, \"Sửa địa điểm\" nếu địa điểm chưa đúng, hoặc \"Hủy\" nhé."


def report_summary(category: str, ward_name: str, address: str, description: str, photos: int, contact: str) -> str:
    lines = [
        CONFIRM_PROMPT,
        f"• Loại vi phạm: {CATEGORY_LABELS.get(category, category)}",
        f"• Địa điểm: {address + ' — ' if address else ''}{ward_name}",
        f"• Nội dung: {description}",
        f"• Ảnh: {photos} ảnh" if photos else "• Ảnh: không có",
        f"• Liên hệ: {contact}",
    ]
    return "\n".join(lines)


def report_received(code: str, ward_name: str, due: str) -> str:
    return (
        f"Phản ánh của bạn đã được ghi nhận với mã {code} và chuyển đến UBND {ward_name}. "
        f"Thời hạn xử lý dự kiến: {due}. Bạn nhắn \"tra cứu {code}\" bất cứ lúc nào để xem tiến độ. "
        "Cảm ơn bạn đã chung tay giữ gìn trật tự đô thị!"
    )


# --- status ----------------------------------------------------------------------------
STATUS_NOT_FOUND = "Mình không tìm thấy phản ánh có mã {code}. Bạn kiểm tra lại mã (dạng PA-XXXXXX) giúp mình nhé."
STATUS_NO_REPORTS = "Mình chưa thấy phản ánh nào bạn gửi từ tài khoản này. Nếu có mã phản ánh (dạng PA-XXXXXX), bạn nhắn mã để tra cứu nhé."
STATUS_LIST_HEADER = "Các phản ánh gần đây của bạn:"


def status_line(code: str, status_label: str, ward_name: str, created: str) -> str:
    return f"• {code}: {status_label} — {ward_name}, gửi ngày {created}"


def status_detail(code: str, category_label: str, status_label: str, ward_name: str, created: str,
                  updated: str, due: str, note: str | None) -> str:
    lines = [
        f"Phản ánh {code} ({category_label.lower()}):",
        f"• Trạng thái: {status_label}",
        f"• Đơn vị xử lý: UBND {ward_name}",
        f"• Ngày gửi: {created}; cập nhật lần cuối: {updated}",
        f"• Hạn xử lý: {due}",
    ]
    if note:
        lines.append(f"• Ghi chú mới nhất: {note}")
    return "\n".join(lines)

# --- when the bot is not sure it understood (two-stage fallback) -----------------------
# "Có phải bạn muốn …?" — one description per intent the bot may ask to confirm.
INTENT_DESCRIPTIONS = {
    "report_sidewalk": "phản ánh lấn chiếm vỉa hè, lòng đường",
    "report_construction": "phản ánh vi phạm trật tự xây dựng (xây không phép, sai phép, cơi nới)",
    "report_other": "báo một sự cố đô thị khác (đèn đường, rác thải, ổ gà, cống tắc…)",
    "check_status": "tra cứu kết quả xử lý phản ánh đã gửi",
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
_STATUS_NEWS = {
    "new": "Phản ánh {code} của bạn đã được ghi nhận lại và đang chờ {ward} xử lý.",
    "acknowledged": "Phản ánh {code} của bạn đã được {ward} tiếp nhận và đang xác minh.",
    "in_progress": "Phản ánh {code} của bạn đang được {ward} xử lý.",
    "handled": "Phản ánh {code} của bạn đã được {ward} xử lý xong.",
    "rejected": "Phản ánh {code} của bạn không được tiếp nhận xử lý.",
    "duplicate": "Phản ánh {code} của bạn trùng với một phản ánh đã có, nên được gộp để {ward} xử lý chung.",
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
RATING_NOT_YOURS = "Mình không tìm thấy phản ánh {code} trong các phản ánh bạn đã gửi."
RATING_NOT_HANDLED = "Phản ánh {code} hiện không ở trạng thái \"Đã xử lý\" nên chưa đánh giá được. Bạn nhắn mã {code} để xem tình trạng mới nhất nhé."


def rating_payload(code: str, rating: str) -> str:
    return '/rate_report{"report_code": "%s", "rating": "%s"}' % (code, rating)
