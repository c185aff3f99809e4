# Jinzhong Indicators: a slim image that migrates, seeds and serves on port 8000.
# The project lives at /app in both stages and is installed in editable mode, so the code,
# migrations/ and seed_data/ are found beside each other exactly as in a clone.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN python -m venv /opt/venv
COPY pyproject.toml README.md ./
COPY app ./app
RUN /opt/venv/bin/pip install -e .

# Runtime: the virtualenv and the project files, owned by root and read-only to the
# unprivileged user that runs the server; only /data (the SQLite file) is writable.
FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATABASE_URL=sqlite:////data/jinzhong.db
RUN useradd --system --uid 10001 --no-create-home jinzhong \
    && mkdir /data && chown jinzhong /data
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY pyproject.toml README.md ./
COPY app ./app
COPY migrations ./migrations
COPY seed_data ./seed_data
# Bytecode made here, as root: the server's user cannot write __pycache__ beside the code,
# and would otherwise compile every module of the app again at each start.
RUN python -m compileall -q app migrations
USER jinzhong
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['PORT'])"
CMD ["sh", "-c", "jinzhong migrate && jinzhong seed && exec jinzhong serve"]
