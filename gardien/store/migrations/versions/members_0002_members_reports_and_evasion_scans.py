"""members reports and evasion scans

Revision ID: members_0002
Revises: members_0001
Create Date: 2026-11-25 07:39:48.692762
"""

import sqlalchemy as sa
from alembic import op

revision = "members_0002"
down_revision = "members_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "moderation_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("reporter", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=50), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("dismissed_by", sa.String(length=200), nullable=True),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dismiss_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_moderation_reports_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["moderation_items.id"],
            name=op.f("fk_moderation_reports_item_id_moderation_items"),
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_moderation_reports_post_id_posts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_reports")),
        sa.UniqueConstraint("post_id", "reporter", name=op.f("uq_moderation_reports_post_id")),
    )
    with op.batch_alter_table("moderation_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_moderation_reports_item_id"), ["item_id"], unique=False
        )

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("evasion_checked_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("evasion_checked_at")

    with op.batch_alter_table("moderation_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderation_reports_item_id"))

    op.drop_table("moderation_reports")
