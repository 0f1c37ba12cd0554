# syntax=docker/dockerfile:1
# Build wheels for the bot and its dependencies, then install them into a small runtime image.
FROM python:3.11.10-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md constraints.txt ./
COPY bot ./bot
# The wheel carries the shipped knowledge base as package data (bot/knowledge).
COPY knowledge ./knowledge
# Every dependency at the version constraints.txt pins, so that each build installs the same.
RUN pip wheel --no-cache-dir --wheel-dir /wheels --constraint constraints.txt .

FROM python:3.11.10-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    KNOWLEDGE_DIR=/app/knowledge \
    DATA_DIR=/app/data \
    HEALTH_HOST=127.0.0.1 \
    HEALTH_PORT=8080
RUN useradd --create-home --uid 10001 bot
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/*.whl && rm -rf /wheels
WORKDIR /app
# The knowledge base is baked in; mount another folder on /app/knowledge (or set KNOWLEDGE_DIR) to replace it.
COPY knowledge ./knowledge
RUN mkdir -p /app/data && chown 10001:10001 /app/data
USER 10001
VOLUME ["/app/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["python", "-m", "bot.healthcheck"]
# No secret in any layer: DISCORD_TOKEN comes from `docker run -e` or an env file at run time.
CMD ["python", "-m", "bot", "run"]
