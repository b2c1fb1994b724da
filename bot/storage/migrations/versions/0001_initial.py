"""Initial schema: wards, reports, status history, attachments.

Revision ID: 0001
Revises:
Create Date: 2025-11-22

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _timestamp(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "wards",
        sa.Column("code", sa.String(5), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("short_name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint("kind IN ('phuong', 'xa')", name=op.f("ck_wards_kind")),
        sa.PrimaryKeyConstraint("code", name="pk_wards"),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("draft_key", sa.String(200), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("priority", sa.String(10), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("citizen_text", sa.Text(), nullable=False),
        sa.Column("address_text", sa.Text(), nullable=False),
        sa.Column("ward_code", sa.String(5), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("sender_id", sa.String(200), nullable=False),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        _timestamp("due_at"),
        sa.CheckConstraint(
            "category IN ('sidewalk', 'construction')", name=op.f("ck_reports_category")
        ),
        sa.CheckConstraint(
            "priority IN ('normal', 'urgent', 'complex')", name=op.f("ck_reports_priority")
        ),
        sa.ForeignKeyConstraint(
            ["ward_code"], ["wards.code"], name="fk_reports_ward_code_wards"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
        sa.UniqueConstraint("code", name="uq_reports_code"),
        sa.UniqueConstraint("draft_key", name="uq_reports_draft_key"),
    )
    op.create_index(
        "ix_reports_ward_status_created", "reports", ["ward_code", "status", "created_at"]
    )
    op.create_index("ix_reports_channel_sender", "reports", ["channel", "sender_id"])
    op.create_table(
        "status_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(20), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=True),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        _timestamp("created_at"),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"],
            name="fk_status_history_report_id_reports", ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_status_history"),
    )
    op.create_index("ix_status_history_report_id", "status_history", ["report_id"])
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        _timestamp("created_at"),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"],
            name="fk_attachments_report_id_reports", ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_attachments"),
    )
    op.create_index("ix_attachments_report_id", "attachments", ["report_id"])


def downgrade() -> None:
    op.drop_index("ix_attachments_report_id", table_name="attachments")
    op.drop_table("attachments")
    op.drop_index("ix_status_history_report_id", table_name="status_history")
    op.drop_table("status_history")
    op.drop_index("ix_reports_channel_sender", table_name="reports")
    op.drop_index("ix_reports_ward_status_created", table_name="reports")
    op.drop_table("reports")
    op.drop_table("wards")
