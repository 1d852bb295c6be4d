"""Obligations: dated duties of a contract

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('obligations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('party', sa.String(length=16), nullable=False),
    sa.Column('owner', sa.String(length=32), nullable=True),
    sa.Column('evidence_required', sa.Boolean(), nullable=False),
    sa.Column('every', sa.String(length=16), nullable=True),
    sa.Column('due_anchor', sa.Date(), nullable=False),
    sa.Column('occurrence', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('next_alert_on', sa.Date(), nullable=True),
    sa.Column('snoozed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('snoozed_by', sa.String(length=32), nullable=True),
    sa.Column('closed_note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_obligations_contract_id_contracts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_obligations'))
    )
    op.create_index('ix_obligations_next_alert_on', 'obligations', ['next_alert_on'], unique=False)
    op.create_index('ix_obligations_contract_state_due', 'obligations', ['contract_id', 'state', 'due_on'],
                    unique=False)
    op.create_index('ix_obligations_state_due', 'obligations', ['state', 'due_on'], unique=False)
    op.create_table('obligation_fulfilments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('obligation_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=False),
    sa.Column('done_by', sa.String(length=64), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligations.id'],
                            name=op.f('fk_obligation_fulfilments_obligation_id_obligations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_obligation_fulfilments'))
    )
    op.create_index('ix_obligation_fulfilments_done_at', 'obligation_fulfilments', ['done_at'], unique=False)
    op.create_index(op.f('ix_obligation_fulfilments_obligation_id'), 'obligation_fulfilments', ['obligation_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_obligation_fulfilments_obligation_id'), table_name='obligation_fulfilments')
    op.drop_index('ix_obligation_fulfilments_done_at', table_name='obligation_fulfilments')
    op.drop_table('obligation_fulfilments')
    op.drop_index('ix_obligations_state_due', table_name='obligations')
    op.drop_index('ix_obligations_contract_state_due', table_name='obligations')
    op.drop_index('ix_obligations_next_alert_on', table_name='obligations')
    op.drop_table('obligations')
