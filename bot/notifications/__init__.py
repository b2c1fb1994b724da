"""Telling citizens what happened to their reports: an outbox table and its delivery worker."""
