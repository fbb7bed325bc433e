"""One cog per feature, each a discord.py extension loaded by :class:`bot.client.AssistantBot`."""
