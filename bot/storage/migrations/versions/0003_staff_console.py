"""Staff console: accounts, ward assignments, API tokens, login attempts; report columns
for the workflow's milestones, duplicates, satisfaction and reopening.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _timestamp(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(_timestamp("acknowledged_at", nullable=True))
        batch.add_column(_timestamp("handled_at", nullable=True))
        batch.add_column(sa.Column("duplicate_of_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("satisfaction", sa.String(20), nullable=True))
        batch.add_column(_timestamp("satisfaction_at", nullable=True))
        batch.add_column(sa.Column("reopen_count", sa.Integer(), nullable=False, server_default="0"))
        batch.create_foreign_key(op.f("fk_reports_duplicate_of_id_reports"), "reports", ["duplicate_of_id"], ["id"],
                                 ondelete="SET NULL")
        batch.create_check_constraint(op.f("ck_reports_satisfaction"),
                                      "satisfaction IN ('satisfied', 'acceptable', 'unsatisfied')")
    op.create_index("ix_reports_ward_created_id", "reports", ["ward_code", "created_at", "id"])
    op.create_index("ix_reports_ward_due", "reports", ["ward_code", "due_at"])
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _timestamp("created_at"),
        _timestamp("last_login_at", nullable=True),
        sa.CheckConstraint("role IN ('ward_staff', 'supervisor', 'admin')", name=op.f("ck_staff_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_users_username")),
    )
    op.create_table(
        "staff_user_wards",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("ward_code", sa.String(5), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["staff_users.id"], name=op.f("fk_staff_user_wards_user_id_staff_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["ward_code"], ["wards.code"], name=op.f("fk_staff_user_wards_ward_code_wards")),
        sa.PrimaryKeyConstraint("user_id", "ward_code", name=op.f("pk_staff_user_wards")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=True),
        _timestamp("created_at"),
        _timestamp("revoked_at", nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["staff_users.id"], name=op.f("fk_api_tokens_user_id_staff_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"])
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("ip", sa.String(100), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        _timestamp("attempted_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    op.create_index("ix_login_attempts_username_at", "login_attempts", ["username", "attempted_at"])
    op.create_index("ix_login_attempts_ip_at", "login_attempts", ["ip", "attempted_at"])


def downgrade() -> None:
    op.drop_table("login_attempts")
    op.drop_index(op.f("ix_api_tokens_user_id"), table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_table("staff_user_wards")
    op.drop_table("staff_users")
    op.drop_index("ix_reports_ward_due", table_name="reports")
    op.drop_index("ix_reports_ward_created_id", table_name="reports")
    with op.batch_alter_table("reports") as batch:
        batch.drop_constraint(op.f("ck_reports_satisfaction"), type_="check")
        batch.drop_constraint(op.f("fk_reports_duplicate_of_id_reports"), type_="foreignkey")
        for column in ("reopen_count", "satisfaction_at", "satisfaction", "duplicate_of_id", "handled_at", "acknowledged_at"):
            batch.drop_column(column)
