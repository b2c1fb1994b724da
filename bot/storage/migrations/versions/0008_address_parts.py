"""Addresses as structured data: each report keeps the parts of its address (house number,
alley, street, area, landmark, the old ward and district the citizen named, the unit named
as a new ward) and a place key (street + house number or alley, folded) that finds likely
duplicates and hotspots.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: Union[str, Sequence[str], None] = "0007"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COLUMNS = (("house_number", 20), ("alley", 100), ("street", 200), ("street_kind", 20), ("area", 200),
           ("landmark", 200), ("old_ward", 200), ("old_district", 200), ("named_ward", 200), ("place_key", 300))


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        for name, length in COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length), nullable=True))
    op.create_index("ix_reports_ward_category_place", "reports", ["ward_code", "category", "place_key"])


def downgrade() -> None:
    op.drop_index("ix_reports_ward_category_place", table_name="reports")
    with op.batch_alter_table("reports") as batch:
        for name, _length in reversed(COLUMNS):
            batch.drop_column(name)
