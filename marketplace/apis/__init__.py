"""The marketplace's REST API (mounted under /api/v1/ by config/api/urls.py)."""
