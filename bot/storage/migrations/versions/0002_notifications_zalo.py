"""Notifications outbox and the Zalo channel's tables.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _timestamp(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("recipient_id", sa.String(200), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("buttons", sa.Text(), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _timestamp("next_attempt_at"),
        _timestamp("lease_until", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        _timestamp("created_at"),
        _timestamp("sent_at", nullable=True),
        sa.CheckConstraint("status IN ('pending', 'sent', 'held', 'failed')", name=op.f("ck_notifications_status")),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_notifications_report_id_reports"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_notifications_idempotency_key")),
    )
    op.create_index("ix_notifications_status_next", "notifications", ["status", "next_attempt_at"])
    op.create_index("ix_notifications_channel_recipient", "notifications", ["channel", "recipient_id", "status"])
    op.create_index(op.f("ix_notifications_report_id"), "notifications", ["report_id"])
    op.create_table(
        "zalo_tokens",
        sa.Column("app_id", sa.String(100), nullable=False),
        sa.Column("access_token", sa.Text(), nullable=False),
        sa.Column("refresh_token", sa.Text(), nullable=False),
        _timestamp("expires_at"),
        _timestamp("updated_at"),
        sa.Column("lock_owner", sa.String(100), nullable=True),
        _timestamp("lock_until", nullable=True),
        sa.PrimaryKeyConstraint("app_id", name=op.f("pk_zalo_tokens")),
    )
    op.create_table(
        "zalo_inbound",
        sa.Column("event_key", sa.String(200), nullable=False),
        sa.Column("user_id", sa.String(100), nullable=False),
        sa.Column("event_name", sa.String(50), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        _timestamp("received_at"),
        _timestamp("processed_at", nullable=True),
        sa.PrimaryKeyConstraint("event_key", name=op.f("pk_zalo_inbound")),
    )
    op.create_table(
        "zalo_users",
        sa.Column("user_id", sa.String(100), nullable=False),
        sa.Column("following", sa.Boolean(), nullable=False),
        _timestamp("followed_at", nullable=True),
        _timestamp("unfollowed_at", nullable=True),
        _timestamp("last_message_at", nullable=True),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_zalo_users")),
    )


def downgrade() -> None:
    op.drop_table("zalo_users")
    op.drop_table("zalo_inbound")
    op.drop_table("zalo_tokens")
    op.drop_index(op.f("ix_notifications_report_id"), table_name="notifications")
    op.drop_index("ix_notifications_channel_recipient", table_name="notifications")
    op.drop_index("ix_notifications_status_next", table_name="notifications")
    op.drop_table("notifications")
