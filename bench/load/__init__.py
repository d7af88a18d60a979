"""The load test: Locust against gunicorn, PostgreSQL, Redis and a Celery worker (see run.py)."""
