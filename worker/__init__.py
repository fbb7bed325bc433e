"""The Celery side: the app, the repo lane and its tasks, git sync, history and undo."""
