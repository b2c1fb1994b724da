"""`python -m bot users …`: staff console accounts and API tokens.

Passwords are read from standard input (`--password-stdin`, first line), never from the
command line, so they stay out of the shell history and the process list:

    printf '%s\\n' "$PASSWORD" | python -m bot users add --username lan --role ward_staff \\
        --ward 00226 --full-name "Nguyễn Thị Lan" --password-stdin

An integrating organisation (Open311) gets an account without a password and one API key per
system that calls us:

    python -m bot users add --username ihanoi --role integration --full-name "Cổng iHanoi"
    python -m bot users token ihanoi --label "iHanoi production"
"""
from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.staff import users
from bot.staff.access import INTEGRATION, ROLES
from bot.staff.errors import StaffError
from bot.staff.localtime import format_datetime
from bot.cli.common import Command, run_with_database
from bot.storage.db import Database


def register(commands: Any) -> None:
    p = commands.add_parser("users", help="staff console accounts and API tokens")
    sub = p.add_subparsers(dest="users_command", required=True)

    add = sub.add_parser("add", help="create an account (password on stdin)")
    add.add_argument("--username", required=True)
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--ward", action="append", default=[], help="ward code (5 digits); repeat for several")
    add.add_argument("--full-name", default=None)
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from stdin (every role but integration, which has none)")
    add.set_defaults(handler=lambda a: _run(_add, a))

    sub.add_parser("list", help="list accounts").set_defaults(handler=lambda a: _run(_list, a))

    for name, active in (("disable", False), ("enable", True)):
        toggle = sub.add_parser(name, help=f"{name} an account")
        toggle.add_argument("username")
        toggle.set_defaults(handler=lambda a, active=active: _run(_set_active(active), a))

    reset = sub.add_parser("reset", help="set a new password (on stdin); open sessions end")
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true", required=True)
    reset.set_defaults(handler=lambda a: _run(_reset, a))

    wards = sub.add_parser("wards", help="replace a ward officer's wards")
    wards.add_argument("username")
    wards.add_argument("--ward", action="append", required=True)
    wards.set_defaults(handler=lambda a: _run(_wards, a))

    token = sub.add_parser("token", help="create an API token (printed once)")
    token.add_argument("username")
    token.add_argument("--label", default=None)
    token.set_defaults(handler=lambda a: _run(_token, a))

    tokens = sub.add_parser("tokens", help="list an account's API tokens")
    tokens.add_argument("username")
    tokens.set_defaults(handler=lambda a: _run(_tokens, a))

    unlock = sub.add_parser("unlock", help="clear a locked-out user's failed logins and print a one-time unlock code")
    unlock.add_argument("username")
    unlock.set_defaults(handler=lambda a: _run(_unlock, a))

    revoke = sub.add_parser("revoke-token", help="revoke an API token by its id")
    revoke.add_argument("token_id", type=int)
    revoke.set_defaults(handler=lambda a: _run(_revoke, a))


def _password() -> str:
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise StaffError("No password on standard input.")
    return line


def _describe(account: users.Account) -> str:
    state = "active" if account.active else "DISABLED"
    wards = ",".join(account.wards) or "-"
    return (f"{account.username:<20} {account.role:<11} {state:<8} wards={wards:<12} "
            f"last_login={format_datetime(account.last_login_at) or '-':<16} {account.full_name or ''}").rstrip()


async def _add(db: Database, args: argparse.Namespace) -> int:
    password = _password() if args.password_stdin else None
    account = await users.add_user(db, args.username, password, args.role, args.ward, args.full_name)
    print(f"Created {_describe(account)}")
    return 0


async def _list(db: Database, args: argparse.Namespace) -> int:
    for account in await users.list_users(db):
        print(_describe(account))
    return 0


def _set_active(active: bool) -> Command:
    async def handler(db: Database, args: argparse.Namespace) -> int:
        print(_describe(await users.set_active(db, args.username, active)))
        return 0
    return handler


async def _reset(db: Database, args: argparse.Namespace) -> int:
    account = await users.reset_password(db, args.username, _password())
    print(f"New password set for {account.username}; their open sessions have ended.")
    return 0


async def _wards(db: Database, args: argparse.Namespace) -> int:
    print(_describe(await users.assign_wards(db, args.username, args.ward)))
    return 0


async def _token(db: Database, args: argparse.Namespace) -> int:
    new = await users.create_token(db, args.username, args.label)
    account = await users.get_account(db, args.username)
    use = ("the api_key parameter of Open311 requests" if account and account.role == INTEGRATION
           else "'Authorization: Bearer <token>'")
    print(f"API token #{new.id} for {users.normalize_username(args.username)} (shown only now; "
          f"send it as {use}):", file=sys.stderr)
    print(new.token)
    return 0


async def _unlock(db: Database, args: argparse.Namespace) -> int:
    code = await users.issue_unlock(db, args.username)
    print(f"Failed logins of {users.normalize_username(args.username)} cleared. One-time unlock code (valid 24 hours; "
          "the user types it under \"Mã mở khóa\" on the login page, with their password):", file=sys.stderr)
    print(code)
    return 0


async def _tokens(db: Database, args: argparse.Namespace) -> int:
    for token in await users.list_tokens(db, args.username):
        state = f"revoked {format_datetime(token.revoked_at)}" if token.revoked_at else "active"
        print(f"#{token.id:<5} {state:<26} created {format_datetime(token.created_at)}  {token.label or ''}".rstrip())
    return 0


async def _revoke(db: Database, args: argparse.Namespace) -> int:
    if await users.revoke_token(db, args.token_id):
        print(f"Revoked API token #{args.token_id}.")
        return 0
    print(f"No active API token #{args.token_id}.", file=sys.stderr)
    return 1


def _run(command: Command, args: argparse.Namespace) -> int:
    return run_with_database(command, args, (StaffError,))
