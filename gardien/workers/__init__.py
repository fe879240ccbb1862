"""Scale-out: the same pipeline stages in worker processes fed by RabbitMQ (Dramatiq), the outbox
and the periodic jobs on a scheduler; see docs/ARCHITECTURE.md, section "Workers"."""
