"""Operations: Prometheus metrics, structured logs, health checks and graceful shutdown, shared
by the web app, the workers and the scheduler."""
