"""Integration accounts (Open311): the staff_users role may also be 'integration', an
integrating organisation's account that has API keys and no password.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

"""
from typing import Sequence, Union

from alembic import op

revision: str = "0010"
down_revision: Union[str, Sequence[str], None] = "0009"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_BEFORE = "role IN ('ward_staff', 'supervisor', 'admin')"
_AFTER = "role IN ('ward_staff', 'supervisor', 'admin', 'integration')"


def _role_check(condition: str) -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_constraint(op.f("ck_staff_users_role"), type_="check")
        batch.create_check_constraint("role", condition)


def upgrade() -> None:
    _role_check(_AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM staff_users WHERE role = 'integration'")
    _role_check(_BEFORE)
