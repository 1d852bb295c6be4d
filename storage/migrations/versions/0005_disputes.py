"""Disputes (litiges), their timeline and linked incidents

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('disputes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('amount_claimed', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('amount_recovered', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('from_sla', sa.Boolean(), nullable=False),
    sa.Column('sla_period_start', sa.Date(), nullable=True),
    sa.Column('sla_period_end', sa.Date(), nullable=True),
    sa.Column('credit_detail', sa.JSON(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('channel', sa.String(length=32), nullable=True),
    sa.Column('ts', sa.String(length=32), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('reminder_snoozed_until', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_disputes_contract_id_contracts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disputes'))
    )
    op.create_index('ix_disputes_contract_status', 'disputes', ['contract_id', 'status'], unique=False)
    op.create_index('ix_disputes_status_activity', 'disputes', ['status', 'last_activity_at'], unique=False)
    op.create_table('dispute_incidents',
    sa.Column('dispute_id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['dispute_id'], ['disputes.id'], name=op.f('fk_dispute_incidents_dispute_id_disputes')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'],
                            name=op.f('fk_dispute_incidents_incident_id_incidents')),
    sa.PrimaryKeyConstraint('dispute_id', 'incident_id', name=op.f('pk_dispute_incidents'))
    )
    op.create_index(op.f('ix_dispute_incidents_incident_id'), 'dispute_incidents', ['incident_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_dispute_incidents_incident_id'), table_name='dispute_incidents')
    op.drop_table('dispute_incidents')
    op.drop_index('ix_disputes_status_activity', table_name='disputes')
    op.drop_index('ix_disputes_contract_status', table_name='disputes')
    op.drop_table('disputes')
