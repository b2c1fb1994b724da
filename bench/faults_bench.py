"""Citizens under faults (`make bench-faults`): `python -m bot run` in production mode with two
Rasa replicas and two action servers behind HAProxy, while a Rasa replica is killed, an action
server is killed and PostgreSQL is restarted.

    PYTHONPATH=. .venv/bin/python -m bench.faults_bench [--users 30] [--duration 240]

Each simulated citizen does whole reports back to back (the conversations of `bench.rest_bench`)
and behaves like a patient person: an answer that says the system is busy ("thử lại"), an error
or no answer at all is met by sending the same message again after 2 s (up to 6 times). After
the run, the codes citizens were given are reconciled with the `reports` table.

Printed: conversations, reports lost (a code given but no row), duplicated (two rows for one
conversation), derailed conversations (no code at the end, or an unexpected answer on the way;
aim ≤ 2 %), what citizens saw (each kind of failure answer, counted), and per fault: when the
killed server was started again by `bot run` and when it answered its health check, and when
the first report after the fault was confirmed. Results also go to var/bench/faults_bench.json.

The PostgreSQL restart uses `pg_ctlcluster <version> <cluster> restart -m fast` of the cluster
on port 5432 (root on Debian), or --pg-restart COMMAND. It disturbs anything else using that
PostgreSQL: run it on an otherwise quiet machine.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import aiohttp
import psycopg2

from bench.rest_bench import BENCH_DIR, CODE_RE, OUR_SCRIPT, answered, machine
from bot.config import PROJECT_ROOT
from bot.messages_vi import DATABASE_UNAVAILABLE, MESSAGE_NOT_HANDLED, SERVICE_UNAVAILABLE, SUBMIT_NOT_SENT
from bot.modelops.agent import newest_model
from bot.secret_files import generate
from bot.stack import VENV_BIN, answers, fresh_secrets, free_port, kill_group
from tests.helpers.db import create_pg_database, drop_pg_database, pg_available
from tests.helpers.processes import children_of, waited

RESULTS_PATH = BENCH_DIR / "faults_bench.json"
REDIS_BENCH_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
RETRY_SECONDS, MAX_ATTEMPTS = 2.0, 6
FAILURE_ANSWERS = {"service unavailable": SERVICE_UNAVAILABLE, "submit not sent": SUBMIT_NOT_SENT,
                   "database unavailable": DATABASE_UNAVAILABLE, "message not handled": MESSAGE_NOT_HANDLED}
DIDNT_UNDERSTAND = "chưa hiểu ý bạn"
PORT_ARG = re.compile(rb"--port\x00(\d+)")


@dataclass
class Outcome:
    sender: str
    code: Optional[str] = None
    derailed: str = ""
    saw: Counter = field(default_factory=Counter)
    finished_at: float = 0.0


async def _send(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> tuple[str, list]:
    """One message; (what went wrong or "", the answer)."""
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            body = await response.read()
            if response.status != 200:
                return f"HTTP {response.status}", []
            answer = json.loads(body)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        return type(error).__name__, []
    if not answered(answer):
        return "empty answer", []
    said = "\n".join(str(m.get("text") or "") for m in answer)
    failure = next((kind for kind, text in FAILURE_ANSWERS.items() if text in said), "")
    return failure, answer


async def citizen_conversation(session: aiohttp.ClientSession, url: str, index: int) -> Outcome:
    outcome = Outcome(f"fault-{index}-{uuid.uuid4().hex[:8]}")
    answer: list = []
    messages = OUR_SCRIPT.messages(index)
    for step, text in enumerate(messages, 1):
        for _attempt in range(MAX_ATTEMPTS):
            failure, answer = await _send(session, url, outcome.sender, text)
            if not failure:
                break
            outcome.saw[failure] += 1
            await asyncio.sleep(RETRY_SECONDS)
        else:
            outcome.derailed = f"step {step} ({text[:20]!r}) failed {MAX_ATTEMPTS} times"
            return outcome
        said = "\n".join(str(m.get("text") or "") for m in answer)
        if DIDNT_UNDERSTAND in said:
            outcome.saw["didn't understand"] += 1
            outcome.derailed = f"step {step} ({text[:20]!r}) not understood"
            return outcome
        if step == len(messages) - 1 and not any(b.get("payload") == "/affirm" for m in answer
                                                  for b in m.get("buttons") or []):
            outcome.derailed = f"no summary after step {step}: {said[:80]!r}"
            return outcome
    said = "\n".join(str(m.get("text") or "") for m in answer)
    match = CODE_RE.search(said)
    if match:
        outcome.code = match.group(0)
    else:
        outcome.derailed = f"no report code at the end: {said[:100]!r}"
    outcome.finished_at = time.monotonic()
    return outcome


async def run_citizens(url: str, token: str, users: int, duration: float) -> List[Outcome]:
    outcomes: List[Outcome] = []
    deadline = time.monotonic() + duration
    counter = iter(range(10**9))
    timeout = aiohttp.ClientTimeout(total=90)
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(timeout=timeout, headers=headers,
                                     connector=aiohttp.TCPConnector(limit=users)) as session:
        async def citizen() -> None:
            while time.monotonic() < deadline:
                outcomes.append(await citizen_conversation(session, f"{url}/webhooks/rest/webhook", next(counter)))

        await asyncio.gather(*(citizen() for _ in range(users)))
    return outcomes


# --------------------------------------------------------------------------- the system


def servers_of(parent: int) -> Dict[str, List[tuple[int, int]]]:
    """`bot run`'s servers: module → [(pid, port)]."""
    found: Dict[str, List[tuple[int, int]]] = {}
    for pid, argv in children_of(parent):
        for module in (b"bot.rasa_server", b"bot.action_server", b"bot.web", b"haproxy"):
            if module in argv:
                port = PORT_ARG.search(argv)
                found.setdefault(module.decode(), []).append((pid, int(port.group(1)) if port else 0))
    return found


def start_bot_run(tmp: Path, database_url: str) -> tuple[subprocess.Popen, Dict[str, str]]:
    env = {**os.environ, **fresh_secrets(), "APP_ENV": "production", "DATABASE_URL": database_url,
           "REDIS_URL": REDIS_BENCH_URL, "REST_CHANNEL_TOKEN": generate(), "CORS_ORIGINS": "https://phananh.example",
           "RASA_PORT": str(free_port()), "ACTION_PORT": str(free_port()), "CONSOLE_PORT": str(free_port()),
           "RASA_REPLICAS": "2", "ACTION_REPLICAS": "2", "UPLOAD_DIR": str(tmp / "uploads"),
           "MODELS_DIR": str(tmp / "models"), "PYTHONPATH": str(PROJECT_ROOT),
           "RASA_TELEMETRY_ENABLED": "false"}
    (tmp / "models").mkdir()
    shutil.copy(newest_model(), tmp / "models")  # the registry's copies stay in the temporary folder
    log = (tmp / "bot_run.log").open("ab")
    process = subprocess.Popen([str(VENV_BIN / "python"), "-m", "bot", "run"], cwd=PROJECT_ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    rasa = f"http://127.0.0.1:{env['RASA_PORT']}"
    if waited(lambda: answers(f"{rasa}/") and answers(f"http://127.0.0.1:{env['CONSOLE_PORT']}/healthz"),
                600, 1.0) is None or process.poll() is not None:
        kill_group(process)
        raise RuntimeError(f"bot run did not start; see {tmp / 'bot_run.log'}")
    return process, env


def kill_server(parent: int, module: str, health_path: str) -> Dict[str, Optional[float]]:
    """SIGKILL the first server of `module`; seconds until `bot run` started it again and until
    it answered its health check."""
    pid, port = sorted(servers_of(parent)[module])[0]
    os.killpg(pid, signal.SIGKILL)
    killed = time.monotonic()

    def replaced() -> bool:
        return any(p == port and new != pid for new, p in servers_of(parent).get(module, []))

    restarted = waited(replaced, 60)
    answering = waited(lambda: answers(f"http://127.0.0.1:{port}{health_path}"), 600, 0.5)
    return {"at": killed, "restarted_s": restarted,
            "healthy_s": None if answering is None else round(time.monotonic() - killed, 1)}


def restart_postgresql(command: Sequence[str], database_url: str) -> Dict[str, Optional[float]]:
    started = time.monotonic()
    subprocess.run(list(command), check=True, capture_output=True)

    def accepts() -> bool:
        try:
            psycopg2.connect(database_url.replace("+asyncpg", ""), connect_timeout=2).close()
            return True
        except psycopg2.OperationalError:
            return False

    back = waited(accepts, 120, 0.25)
    return {"at": started, "restarted_s": round(time.monotonic() - started, 1) if back is not None else None,
            "healthy_s": round(time.monotonic() - started, 1) if back is not None else None}


def default_pg_restart() -> List[str]:
    for line in subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout.splitlines():
        version, cluster, port, *_ = line.split()
        if port == "5432":
            return ["pg_ctlcluster", version, cluster, "restart", "-m", "fast"]
    raise SystemExit("No PostgreSQL cluster on port 5432 found by pg_lsclusters: give --pg-restart")


# --------------------------------------------------------------------------- reconciliation


def reconcile(database_url: str, outcomes: List[Outcome]) -> Dict[str, object]:
    connection = psycopg2.connect(database_url.replace("+asyncpg", ""))
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT sender_id, code FROM reports WHERE sender_id LIKE 'fault-%'")
            rows = cursor.fetchall()
    finally:
        connection.close()
    by_sender: Dict[str, List[str]] = {}
    for sender, code in rows:
        by_sender.setdefault(sender, []).append(code)
    stored = {code for _sender, code in rows}
    given = [o for o in outcomes if o.code]
    lost = [o.code for o in given if o.code not in stored]
    wrong = [o.code for o in given if o.code in stored and o.code not in by_sender.get(o.sender, [])]
    duplicated = {sender: codes for sender, codes in by_sender.items() if len(codes) > 1}
    unanswered = [s for s, codes in by_sender.items() if not any(o.sender == s and o.code for o in outcomes)]
    return {"reports_in_database": len(rows), "codes_given": len(given), "lost": lost, "wrong_sender": wrong,
            "duplicated": duplicated, "stored_but_no_code_given": unanswered}


def first_code_after(outcomes: List[Outcome], moment: float) -> Optional[float]:
    times = [o.finished_at - moment for o in outcomes if o.code and o.finished_at > moment]
    return round(min(times), 1) if times else None


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=30, help="concurrent citizens (default 30)")
    parser.add_argument("--duration", type=float, default=240.0, help="seconds of load (default 240)")
    parser.add_argument("--pg-restart", default="", help="command that restarts PostgreSQL (default: pg_ctlcluster)")
    parser.add_argument("--out", type=Path, default=RESULTS_PATH)
    args = parser.parse_args(argv)
    if not pg_available():
        print("PostgreSQL is not reachable (127.0.0.1:5432)", file=sys.stderr)
        return 2
    pg_restart = shlex.split(args.pg_restart) if args.pg_restart else default_pg_restart()
    database_url = create_pg_database("phananh_faults")
    started = datetime.now().astimezone()
    try:
        with tempfile.TemporaryDirectory(prefix="phananh-faults-") as folder:
            process, env = start_bot_run(Path(folder), database_url)
            try:
                results = run_with_faults(process, env, database_url, args.users, args.duration, pg_restart)
            finally:
                process.send_signal(signal.SIGTERM)
                stop = waited(lambda: process.poll() is not None, 30)
                left = servers_of(process.pid)
                kill_group(process)
            results["stop"] = {"seconds": None if stop is None else round(stop, 1), "left_behind": left}
    finally:
        drop_pg_database(database_url)
    results.update(date=started.isoformat(timespec="seconds"), machine=machine(),
                   command="PYTHONPATH=. .venv/bin/python -m bench.faults_bench " + " ".join(sys.argv[1:]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str) + "\n")
    print(render(results) + f"\nJSON: {args.out}")
    bad = results["reconciliation"]["lost"] or results["reconciliation"]["duplicated"]
    return 1 if bad or results["derailed_share"] > 0.02 else 0


def run_with_faults(process: subprocess.Popen, env: Dict[str, str], database_url: str, users: int,
                    duration: float, pg_restart: List[str]) -> Dict[str, object]:
    import threading

    faults: Dict[str, Dict[str, Optional[float]]] = {}
    schedule = [(0.2, "Rasa replica killed", lambda: kill_server(process.pid, "bot.rasa_server", "/")),
                (0.45, "action server killed", lambda: kill_server(process.pid, "bot.action_server", "/health")),
                (0.65, "PostgreSQL restarted", lambda: restart_postgresql(pg_restart, database_url))]

    def inject() -> None:
        began = time.monotonic()
        for share, name, fault in schedule:
            time.sleep(max(0.0, began + share * duration - time.monotonic()))
            faults[name] = fault()

    injector = threading.Thread(target=inject, daemon=True)
    injector.start()
    outcomes = asyncio.run(run_citizens(f"http://127.0.0.1:{env['RASA_PORT']}", env["REST_CHANNEL_TOKEN"],
                                        users, duration))
    injector.join(timeout=600)
    for fault in faults.values():
        fault["first_report_after_s"] = first_code_after(outcomes, fault.pop("at") or 0.0)
    derailed = [o for o in outcomes if o.derailed]
    saw: Counter = Counter()
    for outcome in outcomes:
        saw.update(outcome.saw)
    return {"users": users, "duration_s": duration, "conversations": len(outcomes),
            "derailed": len(derailed), "derailed_share": round(len(derailed) / max(1, len(outcomes)), 4),
            "derailed_examples": [f"{o.sender}: {o.derailed}" for o in derailed[:10]],
            "conversations_that_saw_a_failure": sum(1 for o in outcomes if o.saw),
            "citizens_saw": dict(saw), "faults": faults, "reconciliation": reconcile(database_url, outcomes),
            "bot_run_alive": process.poll() is None}


def render(results: Dict) -> str:
    rec = results["reconciliation"]
    lines = [f"bench-faults {results['date']} ({results['command']})",
             f"{results['users']} citizens for {results['duration_s']:.0f} s: {results['conversations']} conversations, "
             f"{rec['codes_given']} codes given, {rec['reports_in_database']} reports stored",
             f"lost {len(rec['lost'])}, duplicated {len(rec['duplicated'])}, code of another sender "
             f"{len(rec['wrong_sender'])}, stored without a code given {len(rec['stored_but_no_code_given'])}",
             f"derailed {results['derailed']} ({results['derailed_share']:.1%}; aim ≤ 2 %), "
             f"disturbed but completed {results['conversations_that_saw_a_failure']}",
             f"citizens saw: {results['citizens_saw'] or 'nothing unusual'}"]
    for name, fault in results["faults"].items():
        lines.append(f"{name}: started again after {fault.get('restarted_s')} s, healthy after "
                     f"{fault.get('healthy_s')} s, first report confirmed {fault.get('first_report_after_s')} s after")
    stop = results.get("stop", {})
    lines.append(f"bot run alive through the run: {results['bot_run_alive']}; SIGTERM stopped it in "
                 f"{stop.get('seconds')} s, servers left behind: {stop.get('left_behind') or 'none'}")
    lines += [f"  {example}" for example in results["derailed_examples"]]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
