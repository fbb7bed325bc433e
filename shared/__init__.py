"""The domain layer of myorg-assistant: formats, queries and operations over the org repository.

Nothing here imports Celery, Flask or Discord, so every interface shares the same logic.
"""
