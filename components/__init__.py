"""Custom Rasa graph components of the project (they import Rasa; `bot/` does not)."""
