"""The Zalo objects one process needs: an HTTP session, the token store and the client."""
from __future__ import annotations

import logging

import aiohttp

from bot.config import ZaloSettings, ZnsSettings
from bot.storage.db import Database
from bot.zalo.api import ZaloClient, ZaloOAuth
from bot.zalo.tokens import DatabaseTokens, store_tokens
from bot.zalo.zns import ZnsClient

logger = logging.getLogger(__name__)


class ZaloRuntime:
    def __init__(self, settings: ZaloSettings, db: Database, session: aiohttp.ClientSession) -> None:
        self.settings = settings
        self.db = db
        self.session = session
        oauth = ZaloOAuth(session, settings.oauth_base, settings.app_id, settings.app_secret)
        self.tokens = DatabaseTokens(db, settings.app_id, oauth)
        self.client = ZaloClient(session, settings.api_base, self.tokens)

    def zns_client(self, settings: ZnsSettings) -> ZnsClient:
        """ZNS with the OA's tokens (the same access token as customer-service messages)."""
        return ZnsClient(self.session, settings.api_base, self.tokens)

    @classmethod
    async def start(cls, settings: ZaloSettings, db: Database) -> "ZaloRuntime":
        runtime = cls(settings, db, aiohttp.ClientSession())
        if settings.initial_access_token and settings.initial_refresh_token:
            if await store_tokens(db, settings.app_id, settings.initial_access_token,
                                  settings.initial_refresh_token, replace=False):
                logger.info("Stored the initial Zalo tokens from the environment")
        return runtime

    async def close(self) -> None:
        await self.session.close()
