"""News after Zalo's reply window: the citizen's consent to be notified by ZNS (a template
message to the phone number), what each ZNS attempt cost and became, and the daily cap.

- reports.notify_consent / notify_consent_at: the citizen agreed (in the contact step, shown on
  the summary they confirmed) to get the outcome as a Zalo message to their phone number.
- notifications.zns_*: status of the ZNS fallback for a Zalo message that could not go out as a
  customer-service reply (NULL: never tried; sending, sent, unknown, rejected, capped), the
  tracking id we sent, Zalo's msg_id, the price recorded (VND) and when it was sent.
- zns_daily_usage: ZNS messages started per Hanoi day, reserved atomically against the cap.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: Union[str, Sequence[str], None] = "0010"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("notify_consent", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("notify_consent_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("zns_status", sa.String(10), nullable=True))
        batch.add_column(sa.Column("zns_tracking_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("zns_msg_id", sa.String(100), nullable=True))
        batch.add_column(sa.Column("zns_cost_vnd", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("zns_sent_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_notifications_zns_status", "notifications", ["zns_status", "status", "next_attempt_at"])
    op.create_table(
        "zns_daily_usage",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_zns_daily_usage")),
    )


def downgrade() -> None:
    op.drop_table("zns_daily_usage")
    op.drop_index("ix_notifications_zns_status", table_name="notifications")
    with op.batch_alter_table("notifications") as batch:
        for column in ("zns_sent_at", "zns_cost_vnd", "zns_msg_id", "zns_tracking_id", "zns_status"):
            batch.drop_column(column)
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("notify_consent_at")
        batch.drop_column("notify_consent")
