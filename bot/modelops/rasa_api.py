"""Swapping the model of running Rasa servers through their HTTP API (`--enable-api`, token).

`PUT /model {"model_file": …}` makes Rasa load the new model and then replace its agent in
one assignment; messages keep being answered by the old agent until then (they wait while
the model loads, they are not dropped: `make bench-swap`). The model file must be readable
at the same path by every Rasa server (a shared MODELS_DIR).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import aiohttp

logger = logging.getLogger(__name__)
LOAD_TIMEOUT_S = 600  # loading a model takes tens of seconds on a busy 2-core machine
STATUS_TIMEOUT_S = 10


class RasaUnreachable(RuntimeError):
    """Nothing answers at that address: no Rasa server runs there now."""


class RasaRefused(RuntimeError):
    """The server answered but did not load the model."""


@dataclass(frozen=True)
class RasaServer:
    url: str
    token: str

    def _endpoint(self, path: str) -> str:
        return f"{self.url}{path}"

    async def load(self, session: aiohttp.ClientSession, model_file: Path) -> None:
        try:
            async with session.put(self._endpoint("/model"), params={"token": self.token},
                                   json={"model_file": str(model_file)},
                                   timeout=aiohttp.ClientTimeout(total=LOAD_TIMEOUT_S)) as answer:
                if answer.status != 204:
                    raise RasaRefused(f"{self.url} answered {answer.status}: {(await answer.text())[:500]}")
        except aiohttp.ClientConnectorError as error:
            raise RasaUnreachable(f"{self.url}: {error}") from error

    async def model_file(self, session: aiohttp.ClientSession) -> str | None:
        """The file name of the model the server runs (Rasa reports the name only)."""
        try:
            async with session.get(self._endpoint("/status"), params={"token": self.token},
                                   timeout=aiohttp.ClientTimeout(total=STATUS_TIMEOUT_S)) as answer:
                if answer.status != 200:
                    return None
                return (await answer.json()).get("model_file")
        except aiohttp.ClientConnectorError as error:
            raise RasaUnreachable(f"{self.url}: {error}") from error


async def swap(servers: list[RasaServer], model_file: Path, fallback: Path | None) -> list[str]:
    """Load `model_file` on every reachable server; returns the URLs that were unreachable.

    If one server refuses, those already swapped go back to `fallback` and RasaRefused is
    raised: the servers never run different models for long.
    """
    unreachable: list[str] = []
    swapped: list[RasaServer] = []
    async with aiohttp.ClientSession() as session:
        for server in servers:
            try:
                await server.load(session, model_file)
                swapped.append(server)
            except RasaUnreachable:
                logger.warning("Rasa at %s is not running: it will load %s when it starts", server.url, model_file.name)
                unreachable.append(server.url)
            except RasaRefused:
                logger.exception("Rasa at %s refused %s", server.url, model_file)
                if fallback is not None:
                    for done in swapped:
                        await done.load(session, fallback)
                raise
    return unreachable


PULL_TIMEOUT_S = 600  # a poll (every few seconds) and a load, on a busy machine
PULL_CHECK_S = 2.0
UNREACHABLE_AFTER = 3  # checks in a row without an answer: the server is not running


async def wait_until_serving(servers: list[RasaServer], model_file: Path,
                             timeout: float = PULL_TIMEOUT_S) -> list[str]:
    """Servers that pull their model (bot.modelops.delivery): wait until each one reports
    `model_file`; the URLs of those that did not in time (not running, or still loading)."""
    import asyncio

    waiting = list(servers)
    unreachable: list[str] = []
    failures = {server.url: 0 for server in servers}
    deadline = asyncio.get_running_loop().time() + timeout
    async with aiohttp.ClientSession() as session:
        while waiting and asyncio.get_running_loop().time() < deadline:
            for server in list(waiting):
                try:
                    serving = await server.model_file(session)
                except (RasaUnreachable, aiohttp.ClientError, asyncio.TimeoutError):
                    failures[server.url] += 1
                    if failures[server.url] >= UNREACHABLE_AFTER:  # not running: it loads the model when it starts
                        waiting.remove(server)
                        unreachable.append(server.url)
                    continue
                failures[server.url] = 0
                if serving == model_file.name:
                    waiting.remove(server)
            if waiting:
                await asyncio.sleep(PULL_CHECK_S)
    for server in waiting:
        logger.warning("Rasa at %s does not serve %s yet: it will when it next pulls", server.url, model_file.name)
    return unreachable + [server.url for server in waiting]
