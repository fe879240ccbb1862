"""policy versions, state and shadow decisions

Revision ID: policy_0001
Revises: 0001
Create Date: 2026-11-25 06:33:55.934911
"""

from alembic import op
import sqlalchemy as sa


revision = 'policy_0001'
down_revision = '0001'
branch_labels = ('policy',)
depends_on = None

def upgrade() -> None:
    op.create_table('policy_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=150), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_policy_versions_community_id_communities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_versions')),
    sa.UniqueConstraint('community_id', 'digest', name=op.f('uq_policy_versions_community_id'))
    )
    with op.batch_alter_table('policy_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_versions_community_id'), ['community_id'], unique=False)

    op.create_table('policy_state',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('live_id', sa.Integer(), nullable=True),
    sa.Column('shadow_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_policy_state_community_id_communities')),
    sa.ForeignKeyConstraint(['live_id'], ['policy_versions.id'], name=op.f('fk_policy_state_live_id_policy_versions')),
    sa.ForeignKeyConstraint(['shadow_id'], ['policy_versions.id'], name=op.f('fk_policy_state_shadow_id_policy_versions')),
    sa.PrimaryKeyConstraint('community_id', name=op.f('pk_policy_state'))
    )
    op.create_table('shadow_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=150), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('queue', sa.String(length=20), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('live_version', sa.String(length=150), nullable=False),
    sa.Column('live_action', sa.String(length=20), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_shadow_decisions_post_id_posts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shadow_decisions')),
    sa.UniqueConstraint('post_id', 'version', name=op.f('uq_shadow_decisions_post_id'))
    )
    with op.batch_alter_table('shadow_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shadow_decisions_version'), ['version'], unique=False)


def downgrade() -> None:
    op.drop_table('shadow_decisions')
    op.drop_table('policy_state')
    op.drop_table('policy_versions')
