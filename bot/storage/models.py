"""Database tables (SQLAlchemy Core columns, classic declarative mapping).

All timestamps are timezone-aware UTC in Python. PostgreSQL stores them as
`timestamptz`; SQLite has no time zones, so `UTCDateTime` stores naive UTC there and
adds the UTC zone back when reading.

`status_history.event` is "status" for a status change, "transfer" for a transfer
to another ward (which keeps the status) and "note" for staff's internal note; see
`bot.statuses`.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Iterable

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeDecorator

from bot.statuses import CATEGORIES, PRIORITIES
from bot.text import canonical  # the same folding as the bot's understanding

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base: Any = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))


def search_text_for(code: str, description: str, address_text: str, citizen_text: str) -> str:


    return " ".join(canonical(part) for part in (code, description, address_text, citizen_text) if part)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def one_of(column: str, values: Iterable[str]) -> CheckConstraint:
    """`column IN (...)` over the values the code knows (`bot.statuses`), named after the column.
    The migrations that created these constraints spelled the values out: they are history, and
    a new value needs a new migration."""
    listed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({listed})", name=column)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("Naive datetime given; use timezone-aware UTC")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class CodeList(TypeDecorator):
    """A short list of codes (e.g. ward codes) as JSON text, on every backend. An empty list is
    stored as NULL and NULL reads back as an empty list, so "has any" is `IS NOT NULL` in SQL."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: list[str] | tuple[str, ...] | None, dialect: Dialect) -> str | None:
        if not value:
            return None
        return json.dumps(list(value), separators=(",", ":"))

    def process_result_value(self, value: str | None, dialect: Dialect) -> list[str]:
        if not value:
            return []
        loaded = json.loads(value)
        return [str(code) for code in loaded] if isinstance(loaded, list) else []


class Ward(Base):
    __tablename__ = "wards"
    __table_args__ = (CheckConstraint("kind IN ('phuong', 'xa')", name="kind"),)

    code = Column(String(5), primary_key=True)
    name = Column(String(200), nullable=False)
    short_name = Column(String(200), nullable=False)
    kind = Column(String(10), nullable=False)
    latitude = Column(Float, nullable=True)
    longitude = Column(Float, nullable=True)
    active = Column(Boolean, nullable=False, default=True)


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (
        one_of("category", CATEGORIES),
        one_of("priority", PRIORITIES),
        CheckConstraint("satisfaction IN ('satisfied', 'acceptable', 'unsatisfied')", name="satisfaction"),
        Index("ix_reports_ward_status_created", "ward_code", "status", "created_at"),
        Index("ix_reports_channel_sender", "channel", "sender_id"),
        Index("ix_reports_ward_created_id", "ward_code", "created_at", "id"),
        Index("ix_reports_ward_due", "ward_code", "due_at"),
        Index("ix_reports_created_id", "created_at", "id"),  # supervisors' city-wide queue, newest/oldest
        Index("ix_reports_due_id", "due_at", "id"),  # city-wide, due soonest
        Index("ix_reports_status_due", "status", "due_at"),  # counts per status and overdue, city-wide
        Index("ix_reports_ward_status_due", "ward_code", "status", "due_at"),  # the same, per ward
        Index("ix_reports_status_created", "status", "created_at"),  # city-wide status filters, newest first
        Index("ix_reports_ward_category_place", "ward_code", "category", "place_key"),  # likely duplicates
        Index("ix_reports_ward_candidates", "ward_candidates", "ward_code", "status"),  # uncertain wards: few rows
    )

    id = Column(Integer, primary_key=True, autoincrement=True)
    code = Column(String(12), nullable=False, unique=True)
    draft_key = Column(String(200), nullable=False, unique=True)
    category = Column(String(20), nullable=False)
    priority = Column(String(10), nullable=False, default="normal")
    description = Column(Text, nullable=False)
    citizen_text = Column(Text, nullable=False)
    address_text = Column(Text, nullable=False)  # the clean address (bot.address.parts.AddressParts.display)
    # The address's parts (NULL for reports stored before they were kept, and for parts not given)
    house_number = Column(String(20), nullable=True)
    alley = Column(String(100), nullable=True)
    street = Column(String(200), nullable=True)
    street_kind = Column(String(20), nullable=True)
    area = Column(String(200), nullable=True)
    landmark = Column(String(200), nullable=True)
    old_ward = Column(String(200), nullable=True)
    old_district = Column(String(200), nullable=True)
    named_ward = Column(String(200), nullable=True)  # the unit the citizen named as a new ward
    place_key = Column(String(300), nullable=True)  # folded street + house number (or alley): same place
    ward_code = Column(String(5), ForeignKey("wards.code"), nullable=False)
    # "Phường chưa chắc chắn": the citizen did not know which of several new wards their old ward
    # became, and the bot filed the report to a best guess. The candidate wards' codes (JSON);
    # NULL once the ward is certain (always, or after staff transferred or confirmed it).
    ward_candidates = Column(CodeList, nullable=True)
    latitude = Column(Float, nullable=True)
    longitude = Column(Float, nullable=True)
    channel = Column(String(20), nullable=False)
    sender_id = Column(String(200), nullable=False)  # the citizen (on the web chat: the browser's identity)
    conversation_id = Column(String(200), nullable=True)  # Rasa's sender id of the conversation (transcript)
    phone = Column(String(20), nullable=True)
    anonymous = Column(Boolean, nullable=False, default=False)
    # The citizen agreed to get the news by ZNS (a Zalo template message to `phone`) once
    # Zalo's reply window has closed; when (the summary they confirmed said so).
    notify_consent = Column(Boolean, nullable=False, default=False)
    notify_consent_at = Column(UTCDateTime, nullable=True)
    status = Column(String(20), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)
    due_at = Column(UTCDateTime, nullable=False)
    acknowledged_at = Column(UTCDateTime, nullable=True)  # first acknowledged (KPI: time to acknowledge)
    handled_at = Column(UTCDateTime, nullable=True)  # last marked handled (KPI: time to handle)
    duplicate_of_id = Column(Integer, ForeignKey("reports.id", ondelete="SET NULL"), nullable=True)
    satisfaction = Column(String(20), nullable=True)  # the citizen's rating after "handled"
    satisfaction_at = Column(UTCDateTime, nullable=True)
    reopen_count = Column(Integer, nullable=False, default=0)
    # Folded words of code, description, address and the citizen's text (`search_text_for`):
    # the console's search is one plain LIKE, with or without diacritics.
    search_text = Column(Text, nullable=False, default="")

    ward = relationship("Ward", lazy="raise")
    history = relationship(
        "StatusHistory", lazy="raise", order_by="StatusHistory.id",
        cascade="all, delete-orphan", passive_deletes=True,
    )
    attachments = relationship(
        "Attachment", lazy="raise", order_by="Attachment.id",
        cascade="all, delete-orphan", passive_deletes=True,
    )


class StatusHistory(Base):
    __tablename__ = "status_history"

    id = Column(Integer, primary_key=True, autoincrement=True)
    report_id = Column(
        Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, index=True
    )
    event = Column(String(20), nullable=False, default="status")
    from_status = Column(String(20), nullable=True)
    to_status = Column(String(20), nullable=False)
    actor = Column(String(200), nullable=False)
    note = Column(Text, nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class Attachment(Base):
    __tablename__ = "attachments"

    id = Column(Integer, primary_key=True, autoincrement=True)
    report_id = Column(
        Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind = Column(String(20), nullable=False, default="photo")
    url = Column(Text, nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class Notification(Base):
    """The outbox: one message to a citizen, delivered at least once by `bot.notifications`.

    `status`: pending (to deliver; web-chat ones wait for the citizen's page to fetch them),
    sent, held (Zalo's 48-hour reply window had closed: kept until the citizen writes again),
    failed (gave up after the last retry).

    `zns_*`: the ZNS fallback of a Zalo message held outside the reply window
    (`bot.notifications.zns`): NULL (never tried), sending (request started: never sent again),
    sent, unknown (no answer: may have gone out, never sent again), rejected (Zalo refused it),
    capped (the daily cap or Zalo's quota: tried again from `next_attempt_at`).
    """

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'held', 'failed')", name="status"),
        Index("ix_notifications_status_next", "status", "next_attempt_at"),
        Index("ix_notifications_channel_recipient", "channel", "recipient_id", "status"),
        Index("ix_notifications_zns_status", "zns_status", "status", "next_attempt_at"),
    )

    id = Column(Integer, primary_key=True, autoincrement=True)
    idempotency_key = Column(String(200), nullable=False, unique=True)
    channel = Column(String(20), nullable=False)
    recipient_id = Column(String(200), nullable=False)
    report_id = Column(Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=True, index=True)
    text = Column(Text, nullable=False)
    buttons = Column(Text, nullable=True)  # JSON list of {"title", "payload"}
    status = Column(String(10), nullable=False, default="pending")
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(UTCDateTime, nullable=False, default=utcnow)
    lease_until = Column(UTCDateTime, nullable=True)
    last_error = Column(Text, nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    sent_at = Column(UTCDateTime, nullable=True)
    zns_status = Column(String(10), nullable=True)
    zns_tracking_id = Column(String(64), nullable=True)
    zns_msg_id = Column(String(100), nullable=True)
    zns_cost_vnd = Column(Integer, nullable=True)
    zns_sent_at = Column(UTCDateTime, nullable=True)


class ZnsDailyUsage(Base):
    """ZNS messages started on one Hanoi day: a slot is reserved (atomically, below the cap)
    before each request, and given back when Zalo refuses the message."""

    __tablename__ = "zns_daily_usage"

    day = Column(Date, primary_key=True)
    used = Column(Integer, nullable=False, default=0)


class ZaloToken(Base):
    """The OA's current tokens (one row per app). `lock_*` is the refresh lease: one
    process at a time exchanges the single-use refresh token, across replicas."""

    __tablename__ = "zalo_tokens"

    app_id = Column(String(100), primary_key=True)
    access_token = Column(Text, nullable=False)
    refresh_token = Column(Text, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)
    lock_owner = Column(String(100), nullable=True)
    lock_until = Column(UTCDateTime, nullable=True)


class ZaloInbound(Base):
    """Webhook events accepted, by Zalo's msg_id: a redelivery changes nothing. Stored before
    the webhook answers; `processed_at` stays empty until the bot has handled the event."""

    __tablename__ = "zalo_inbound"

    event_key = Column(String(200), primary_key=True)
    user_id = Column(String(100), nullable=False)
    event_name = Column(String(50), nullable=False)
    payload = Column(Text, nullable=False)  # the raw body, to process again after a crash
    received_at = Column(UTCDateTime, nullable=False, default=utcnow)
    processed_at = Column(UTCDateTime, nullable=True)


class ZaloUser(Base):
    """What we know of a Zalo user: following or not, and when they last wrote to us."""

    __tablename__ = "zalo_users"

    user_id = Column(String(100), primary_key=True)
    following = Column(Boolean, nullable=False, default=True)
    followed_at = Column(UTCDateTime, nullable=True)
    unfollowed_at = Column(UTCDateTime, nullable=True)
    last_message_at = Column(UTCDateTime, nullable=True)


class StaffUser(Base):
    """A console account. Roles: ward_staff (their wards), supervisor (reads every ward),
    admin (everything); integration is an integrating organisation's account for Open311 (API
    keys only, never the console; `password_hash` is `bot.staff.users.NO_PASSWORD`). Passwords
    are argon2 hashes."""

    __tablename__ = "staff_users"
    __table_args__ = (CheckConstraint("role IN ('ward_staff', 'supervisor', 'admin', 'integration')", name="role"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(100), nullable=False, unique=True)
    full_name = Column(String(200), nullable=True)
    password_hash = Column(Text, nullable=False)
    role = Column(String(20), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    last_login_at = Column(UTCDateTime, nullable=True)

    wards = relationship("StaffUserWard", lazy="raise", cascade="all, delete-orphan", passive_deletes=True)


class StaffUserWard(Base):
    __tablename__ = "staff_user_wards"

    user_id = Column(Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True)
    ward_code = Column(String(5), ForeignKey("wards.code"), primary_key=True)


class ApiToken(Base):
    """A token for integrations calling /api/ as a staff user; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id = Column(Integer, primary_key=True, autoincrement=True)
    user_id = Column(Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    label = Column(String(200), nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    revoked_at = Column(UTCDateTime, nullable=True)


class LoginAttempt(Base):
    """Failed and successful logins, for throttling (shared by every console process)."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "attempted_at"),
        Index("ix_login_attempts_ip_at", "ip", "attempted_at"),
    )

    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(100), nullable=False)
    ip = Column(String(100), nullable=False)
    success = Column(Boolean, nullable=False)
    attempted_at = Column(UTCDateTime, nullable=False, default=utcnow)


class ModelVersion(Base):
    """A trained Rasa model the admins can activate: an immutable file under MODELS_DIR/history.

    `evaluation` holds the held-out figures (JSON, `bot.modelops.checking.Figures`) once the
    model has been checked; `sha256` recognises a build model (`make model`) already registered.
    """

    __tablename__ = "model_versions"

    id = Column(Integer, primary_key=True, autoincrement=True)
    file = Column(Text, nullable=False)
    sha256 = Column(String(64), nullable=False, unique=True)
    source = Column(String(20), nullable=False)  # "build" (make model), "console", "cli"
    created_by = Column(String(100), nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    training_run_id = Column(Integer, nullable=True)
    evaluation = Column(Text, nullable=True)
    evaluated_at = Column(UTCDateTime, nullable=True)


class ModelActivation(Base):
    """One model swap: the newest row names the model the Rasa servers run."""

    __tablename__ = "model_activations"

    id = Column(Integer, primary_key=True, autoincrement=True)
    model_version_id = Column(Integer, ForeignKey("model_versions.id"), nullable=False)
    kind = Column(String(20), nullable=False)  # "bootstrap", "activate", "rollback"
    activated_by = Column(String(100), nullable=True)
    activated_at = Column(UTCDateTime, nullable=False, default=utcnow)


class TrainingRun(Base):
    """A retraining from the console or the CLI. `slot` is 1 while the run is alive and NULL
    afterwards: its unique constraint lets one training run at a time across processes."""

    __tablename__ = "training_runs"

    id = Column(Integer, primary_key=True, autoincrement=True)
    slot = Column(Integer, nullable=True, unique=True)
    status = Column(String(20), nullable=False)  # running, succeeded, failed, interrupted
    phase = Column(String(40), nullable=False, default="")
    requested_by = Column(String(100), nullable=True)
    config_file = Column(Text, nullable=False)
    started_at = Column(UTCDateTime, nullable=False, default=utcnow)
    heartbeat_at = Column(UTCDateTime, nullable=False, default=utcnow)
    finished_at = Column(UTCDateTime, nullable=True)
    epoch = Column(Integer, nullable=True)
    epochs = Column(Integer, nullable=True)
    eta_seconds = Column(Float, nullable=True)
    log_file = Column(Text, nullable=True)
    error = Column(Text, nullable=True)
    model_version_id = Column(Integer, ForeignKey("model_versions.id"), nullable=True)


class RateCounter(Base):
    """Attempts under a key within a window (`bot.storage.limits`): logins per user, pair and
    address, uploads per citizen and address. Updated with one atomic statement per attempt."""

    __tablename__ = "rate_counters"

    key = Column(String(300), primary_key=True)
    count = Column(Integer, nullable=False)
    window_start = Column(UTCDateTime, nullable=False)


class LoginUnlock(Base):
    """A one-time code an admin issued (`bot users unlock`): it lets its user past the login
    throttle once. Only its SHA-256 is stored."""

    __tablename__ = "login_unlocks"
    __table_args__ = (Index("ix_login_unlocks_username", "username"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(100), nullable=False)
    code_hash = Column(String(64), nullable=False, unique=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = Column(UTCDateTime, nullable=False)
    used_at = Column(UTCDateTime, nullable=True)


class Upload(Base):
    """A stored photo: who sent it, from where, and the report it became part of. Photos that
    never became part of a report are swept after a day."""

    __tablename__ = "uploads"
    __table_args__ = (Index("ix_uploads_unattached_created", "report_id", "created_at"),)

    name = Column(String(64), primary_key=True)
    owner = Column(String(200), nullable=False)
    ip = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    report_id = Column(Integer, ForeignKey("reports.id", ondelete="SET NULL"), nullable=True)
