# Production image: gunicorn for the web, the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# WeasyPrint needs Pango; fonts for PDFs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN useradd --create-home --uid 10001 mobility && mkdir -p /data/media /app/var && chown -R mobility /data /app/var
USER mobility
# collectstatic needs settings that pass validation; these values exist only at build time.
RUN DATABASE_URL=postgres://build@localhost/build SECRET_KEY=build-only-$(head -c 40 /dev/urandom | od -An -tx1 | tr -d ' \n') \
    ALLOWED_HOSTS=localhost CELERY_BROKER_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "mobility.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
