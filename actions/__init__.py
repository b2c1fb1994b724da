"""phananh's Rasa action server: thin adapters between Rasa trackers and `bot/`."""
