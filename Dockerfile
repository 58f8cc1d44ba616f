# Rafiq: `python -m bot run` as a non-root user, with the SQLite file on a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    RAFIQ_CONTENT_DIR=/app \
    RAFIQ_DB=/data/rafiq.sqlite3

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install --no-cache-dir .

# Content last: editing a booklet page rebuilds only this layer.
COPY content ./content
COPY flows ./flows
COPY locales ./locales

RUN useradd --system --uid 10001 --home-dir /app rafiq \
    && mkdir -p /data && chown rafiq /data
USER rafiq
VOLUME ["/data"]

ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]
