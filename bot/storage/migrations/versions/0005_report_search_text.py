"""Folded search text on reports (the console's search, with or without diacritics).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from bot.storage.models import search_text_for

revision: str = "0005"
down_revision: Union[str, Sequence[str], None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BATCH = 2000


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    reports = sa.table("reports", sa.column("id", sa.Integer), sa.column("code", sa.String),
                       sa.column("description", sa.Text), sa.column("address_text", sa.Text),
                       sa.column("citizen_text", sa.Text), sa.column("search_text", sa.Text))
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(sa.select(reports.c.id, reports.c.code, reports.c.description, reports.c.address_text,
                                            reports.c.citizen_text).where(reports.c.id > last_id)
                                  .order_by(reports.c.id).limit(BATCH)).all()
        if not rows:
            break
        for row in rows:
            connection.execute(reports.update().where(reports.c.id == row.id).values(
                search_text=search_text_for(row.code, row.description, row.address_text, row.citizen_text)))
        last_id = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("search_text")
