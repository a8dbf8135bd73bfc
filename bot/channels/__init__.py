"""Rasa input channels of the assistant (the only part of `bot/` that imports Rasa's server).

Nothing is imported here on purpose: the command line imports `bot.channels.telegram_api`
to register the Telegram webhook without loading Rasa.
"""
