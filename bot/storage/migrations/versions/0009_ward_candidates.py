"""Uncertain wards ("phường chưa chắc chắn"): a report filed to a best-guess ward keeps the codes
of the candidate wards (a JSON list as text, the same on SQLite and PostgreSQL), NULL when the
ward is certain. The index finds the few uncertain reports without reading the certain ones.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: Union[str, Sequence[str], None] = "0008"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("ward_candidates", sa.Text(), nullable=True))
    op.create_index("ix_reports_ward_candidates", "reports", ["ward_candidates", "ward_code", "status"])


def downgrade() -> None:
    op.drop_index("ix_reports_ward_candidates", table_name="reports")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("ward_candidates")
