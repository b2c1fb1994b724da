"""The ward staff console's domain: accounts and logins, who may see and do what, the
workflow of staff actions, the officer's queue and a report's conversation. No aiohttp here:
the web layer (`bot.web.console`) and the command line (`bot.cli.users`) build on it."""
