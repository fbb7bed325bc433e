"""The agent's domain side: tools over the org repo, the system prompt, the confirmation gate,
token accounting, and the built-in command understanding used when no model is available.

Nothing here talks to the model or to Redis; the SDK loop and the Celery task live in ``worker``.
"""
