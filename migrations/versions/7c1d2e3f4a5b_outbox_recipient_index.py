"""outbox index by recipient and time, for the per-address mail cap

Revision ID: 7c1d2e3f4a5b
Revises: d06c99ac1347
Create Date: 2026-12-04 23:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7c1d2e3f4a5b'
down_revision = 'd06c99ac1347'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(
            'ix_outbox_recipient_created', ['recipient', 'created_at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_recipient_created')
