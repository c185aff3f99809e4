# Jinzhong Indicators: a slim image that migrates, seeds and serves on port 8000.
# Build stage: install the project and its dependencies into a virtualenv.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN python -m venv /opt/venv
COPY pyproject.toml README.md ./
COPY app ./app
RUN /opt/venv/bin/pip install .

# Runtime stage: the virtualenv, the migrations and the curated data; no build tools, no root.
FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATABASE_URL=sqlite:////data/jinzhong.db \
    SEED_DIR=/app/seed_data
RUN useradd --system --uid 10001 --home-dir /app jinzhong && mkdir /data && chown jinzhong /data
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --chown=jinzhong migrations ./migrations
COPY --chown=jinzhong seed_data ./seed_data
COPY --chown=jinzhong app ./app
USER jinzhong
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
    CMD python -c "import urllib.request,os; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['PORT'])"
CMD ["sh", "-c", "jinzhong migrate && jinzhong seed && exec jinzhong serve"]
