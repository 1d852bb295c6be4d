"""Index values and revision clauses (price revision)

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('index_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('index_name', sa.String(length=32), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_index_values')),
    sa.UniqueConstraint('index_name', 'month', name=op.f('uq_index_values_index_name'))
    )
    op.create_table('revision_clauses',
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('index_name', sa.String(length=32), nullable=False),
    sa.Column('base_month', sa.Date(), nullable=False),
    sa.Column('base_value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('fixed', sa.Numeric(precision=7, scale=4), nullable=False),
    sa.Column('every', sa.String(length=16), nullable=False),
    sa.Column('first_on', sa.Date(), nullable=False),
    sa.Column('mode', sa.String(length=8), nullable=False),
    sa.Column('lag', sa.Integer(), nullable=False),
    sa.Column('min_pct', sa.Numeric(precision=7, scale=3), nullable=True),
    sa.Column('cap_pct', sa.Numeric(precision=7, scale=3), nullable=True),
    sa.Column('round_to', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('next_k', sa.Integer(), nullable=False),
    sa.Column('next_revision_on', sa.Date(), nullable=False),
    sa.Column('last_value', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('last_index_month', sa.Date(), nullable=True),
    sa.Column('last_index_value', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'],
                            name=op.f('fk_revision_clauses_contract_id_contracts')),
    sa.PrimaryKeyConstraint('contract_id', name=op.f('pk_revision_clauses'))
    )
    op.create_index('ix_revision_clauses_next', 'revision_clauses', ['next_revision_on'], unique=False)
    op.create_table('price_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('amendment_id', sa.Integer(), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('applied_by', sa.String(length=64), nullable=False),
    sa.Column('before_value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('after_value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'],
                            name=op.f('fk_price_revisions_amendment_id_amendments')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_price_revisions_contract_id_contracts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_revisions')),
    sa.UniqueConstraint('contract_id', 'effective_on', name=op.f('uq_price_revisions_contract_id'))
    )
    op.create_index('ix_price_revisions_effective', 'price_revisions', ['effective_on'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_price_revisions_effective', table_name='price_revisions')
    op.drop_table('price_revisions')
    op.drop_index('ix_revision_clauses_next', table_name='revision_clauses')
    op.drop_table('revision_clauses')
    op.drop_table('index_values')
