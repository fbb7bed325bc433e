"""The Discord bot: the owner's everyday interface (``python -m bot``).

It reads the org repository (read only) and talks to the rest of the system through Celery tasks
and Redis only. :mod:`bot.client` is the bot, :mod:`bot.cogs` its features.
"""
