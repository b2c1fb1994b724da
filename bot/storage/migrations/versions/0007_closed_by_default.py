"""Closed by default: atomic rate counters (logins, uploads), one-time unlock codes, the upload
register (owner, IP, the report a photo ended up in), and each report's conversation id
(web-chat reports keep the citizen's identity as `sender_id`).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: Union[str, Sequence[str], None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _timestamp(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "rate_counters",
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        _timestamp("window_start"),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_counters")),
    )
    op.create_table(
        "login_unlocks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        _timestamp("created_at"),
        _timestamp("expires_at"),
        _timestamp("used_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_unlocks")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_login_unlocks_code_hash")),
    )
    op.create_index("ix_login_unlocks_username", "login_unlocks", ["username"])
    op.create_table(
        "uploads",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        _timestamp("created_at"),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], ondelete="SET NULL",
                                name=op.f("fk_uploads_report_id_reports")),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_uploads")),
    )
    op.create_index("ix_uploads_unattached_created", "uploads", ["report_id", "created_at"])
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("conversation_id", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("conversation_id")
    op.drop_index("ix_uploads_unattached_created", table_name="uploads")
    op.drop_table("uploads")
    op.drop_index("ix_login_unlocks_username", table_name="login_unlocks")
    op.drop_table("login_unlocks")
    op.drop_table("rate_counters")
