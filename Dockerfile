# Gardien: one image for the web app, the workers and the scheduler (the command differs).
# Build: docker build -t gardien .   Run them together: docker compose up (see docs/DEPLOY.md).
# With the accurate tier (GARDIEN_ACCURATE_TASKS): docker build --build-arg EXTRAS='[accurate]' -t gardien .
FROM python:3.11-slim

# WeasyPrint (report PDFs) needs Pango; curl-free health checks use Python itself.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    GARDIEN_HOST=0.0.0.0 \
    GARDIEN_PORT=8000 \
    GARDIEN_DATA_DIR=/var/lib/gardien

WORKDIR /opt/gardien
COPY pyproject.toml README.md ./
COPY gardien ./gardien
ARG EXTRAS=""
RUN pip install ".${EXTRAS}" && useradd --system --uid 10001 --home-dir /var/lib/gardien --create-home gardien

USER gardien
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
CMD ["gardien", "serve"]
