"""Indexes for word search and /renewals (stub: filled by the issue-6 speed work).

Revision ID: 0010
Revises: 0009
"""

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
