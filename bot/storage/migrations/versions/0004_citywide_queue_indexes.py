"""Indexes for the supervisors' city-wide queue (no ward filter): newest/oldest, due soonest,
and the counts per status with the overdue ones.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

"""
from typing import Sequence, Union

from alembic import op

revision: str = "0004"
down_revision: Union[str, Sequence[str], None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_reports_created_id", "reports", ["created_at", "id"])
    op.create_index("ix_reports_due_id", "reports", ["due_at", "id"])
    op.create_index("ix_reports_status_due", "reports", ["status", "due_at"])
    op.create_index("ix_reports_ward_status_due", "reports", ["ward_code", "status", "due_at"])
    op.create_index("ix_reports_status_created", "reports", ["status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_reports_status_created", table_name="reports")
    op.drop_index("ix_reports_ward_status_due", table_name="reports")
    op.drop_index("ix_reports_status_due", table_name="reports")
    op.drop_index("ix_reports_due_id", table_name="reports")
    op.drop_index("ix_reports_created_id", table_name="reports")
