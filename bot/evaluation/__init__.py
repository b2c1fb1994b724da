"""Measuring the bot: held-out cases, scoring, baselines (`python -m bot eval`)."""
