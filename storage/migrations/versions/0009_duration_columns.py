"""Durations as a column type (stub: filled by the issue-7 duration work).

Revision ID: 0009
Revises: 0008
"""

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
