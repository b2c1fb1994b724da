"""How Rasa servers get the active model: pulled from our web server (Rasa's model server).

When Rasa's endpoints file has a `models:` section (endpoints.production.yml), every Rasa
server asks `GET {MODEL_SERVER_URL}` every few seconds with `If-None-Match: <its model's
ETag>`; the web server answers 304 while the registry's active model is the same, else the
model file with its ETag. Activating a model is then one registry write that every replica
picks up, on this machine or another, and a replica restarted later loads what is active.
Without `models:` (development), the web server pushes `PUT /model` to each server (rasa_api).
"""
from __future__ import annotations

MODEL_PATH = "/internal/model"


def etag(sha256: str) -> str:
    return f'"{sha256}"'


def not_modified(if_none_match: str | None, sha256: str) -> bool:
    """Does the asker already hold this model? (Rasa echoes the ETag it got, quoted or not.)"""
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/").strip('"') for tag in if_none_match.split(",")}
    return sha256 in tags

