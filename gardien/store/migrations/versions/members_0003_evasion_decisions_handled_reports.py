"""evasion flags decided by a moderator; reports answered by a verdict

Revision ID: members_0003
Revises: members_0002
Create Date: 2026-11-26 11:00:00

A ban-evasion flag is confirmed or cleared by a moderator (who, when, why). A report answered
by a verdict on its item is ``handled``: reports still open on items handled before this
revision become handled, so that a new report on such a post reopens its item cleanly.
"""

import sqlalchemy as sa
from alembic import op

revision = "members_0003"
down_revision = "members_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evasion_flags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decided_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=False, server_default=""))
    op.execute(
        "UPDATE moderation_reports SET status = 'handled' WHERE status = 'open' AND item_id IN "
        "(SELECT id FROM moderation_items WHERE status <> 'open')"
    )


def downgrade() -> None:
    op.execute("UPDATE moderation_reports SET status = 'open' WHERE status = 'handled'")
    with op.batch_alter_table("evasion_flags", schema=None) as batch_op:
        batch_op.drop_column("note")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decided_by")
