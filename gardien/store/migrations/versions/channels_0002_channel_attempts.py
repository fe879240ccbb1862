"""channel attempts: outbound actions whose outcome is not known yet

Revision ID: channels_0002
Revises: channels_0001
Create Date: 2026-12-04 16:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "channels_0002"
down_revision = "channels_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_attempts",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_channel_attempts")),
    )


def downgrade() -> None:
    op.drop_table("channel_attempts")
