"""Latency and throughput of full report conversations over Rasa's REST channel.

Run from the project root (this is what `make bench` does):

    PYTHONPATH=. .venv/bin/python -m bench.rest_bench

The benchmark starts our whole system (action server, Rasa server, web server, via
`bot.stack`) on free loopback ports with a throw-away SQLite database and tracker store,
warms it up, then runs full report conversations at 1 and at 20 concurrent users. It then
does the same for Rasa's own `rasa init` demo, served with `rasa run` and the same kind of
tracker store (SQL on a throw-away SQLite file). Only one system runs at a time.

Figures: p50/p95/p99 latency per message (client side, ms), messages per second
(answered messages / wall time of the load phase), and the peak resident memory of each
Rasa server process and its children (sum of VmRSS over the process tree, sampled from
/proc every 0.25 s; the kernel's per-process high-water mark VmHWM is reported too).
Results are printed as a table and written to var/bench/rest_bench.json.

The `rasa init` demo is created and trained once and cached in var/bench/rasa_init_demo/.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

import aiohttp

from bot.config import PROJECT_ROOT
from bot.modelops.agent import newest_model
from bot.stack import VENV_BIN, Stack, free_port, kill_group
from bot.storage.setup import prepare_database

BENCH_DIR = PROJECT_ROOT / "var" / "bench"
DEMO_DIR = BENCH_DIR / "rasa_init_demo"
RESULTS_PATH = BENCH_DIR / "rest_bench.json"
CODE_RE = re.compile(r"PA-[2-9A-HJ-NP-Z]{6}")

# Aims the figures are read against.
AIM_MEDIAN_RATIO_MAX = 1.3  # our median latency / demo's median latency
AIM_THROUGHPUT_RATIO_MIN = 0.8  # our messages/s / demo's messages/s
AIM_RASA_RSS_MAX_MIB = 1536.0  # 1.5 GiB, our Rasa server and its children

# Full report conversations: a first message that says what, where (a ward the resolver
# knows without asking) and enough to stand as the description; then skip the photo, give
# a phone number, confirm. The bot answers the last message with the report code.
REPORT_OPENINGS = (
    "Quán cà phê bày bàn ghế chiếm hết vỉa hè trước số 12 phố Hàng Bông, phường Hoàn Kiếm, "
    "người đi bộ phải xuống lòng đường",
    "Quán bia hơi bày bàn ghế chiếm hết vỉa hè trước số 45 phố Hàng Gai, phường Hoàn Kiếm, "
    "người đi bộ phải đi xuống lòng đường",
    "Quán ăn bày bàn ghế lấn chiếm vỉa hè suốt buổi tối trước số 20 phố Phạm Ngọc Thạch, "
    "phường Kim Liên, người đi bộ phải xuống lòng đường",
    "Bãi trông xe tự phát chiếm hết vỉa hè trước cổng chợ Mơ, phường Bạch Mai, "
    "người đi bộ phải đi xuống lòng đường",
    "Cửa hàng bày hàng hóa và dựng mái che lấn chiếm vỉa hè trước số 8 phố Đinh Lễ, "
    "phường Hoàn Kiếm, người đi bộ phải xuống lòng đường",
)
REPORT_REST = ("/skip", "0912345678", "/affirm")

# The `rasa init` demo's "sad path": greet, mood_unhappy, affirm, then the goodbye rule.
DEMO_MESSAGES = ("hello", "I am sad", "yes", "goodbye")


# --------------------------------------------------------------------------- scripts


def answered(answer: object) -> bool:
    """A non-empty answer: at least one message with text or buttons."""
    return isinstance(answer, list) and any(
        isinstance(m, dict) and (m.get("text") or m.get("buttons")) for m in answer
    )


def _text(answer: List[Dict]) -> str:
    return "\n".join(str(m.get("text") or "") for m in answer)


@dataclass(frozen=True)
class Script:
    """What one system's conversation says, and how its final answer is checked."""

    system: str
    variants: Sequence[Sequence[str]]
    check_last: Callable[[List[Dict]], Optional[str]]

    def messages(self, index: int) -> Sequence[str]:
        return self.variants[index % len(self.variants)]


def _check_report_code(answer: List[Dict]) -> Optional[str]:
    return None if CODE_RE.search(_text(answer)) else "no report code in the last answer"


def _check_nothing(answer: List[Dict]) -> Optional[str]:
    return None


OUR_SCRIPT = Script("phananh", [(opening, *REPORT_REST) for opening in REPORT_OPENINGS], _check_report_code)
DEMO_SCRIPT = Script("rasa_init_demo", [DEMO_MESSAGES], _check_nothing)


# --------------------------------------------------------------------------- load


@dataclass
class Failure:
    conversation: int
    sender: str
    step: int
    message: str
    error: str

    def __str__(self) -> str:
        return f"conversation {self.conversation} ({self.sender}) step {self.step} {self.message[:40]!r}: {self.error}"


@dataclass
class PhaseResult:
    concurrency: int
    planned: int
    conversations: int = 0
    failed: int = 0
    latencies: List[float] = field(default_factory=list)  # seconds, answered messages only
    by_step: Dict[int, List[float]] = field(default_factory=dict)  # the same, per step of the conversation
    wall: float = 0.0
    time_limited: bool = False
    failures: List[Failure] = field(default_factory=list)

    @property
    def messages(self) -> int:
        return len(self.latencies)

    def summary(self) -> Dict[str, object]:
        ms = sorted(x * 1000.0 for x in self.latencies)
        return {
            "concurrency": self.concurrency,
            "conversations_planned": self.planned,
            "conversations": self.conversations,
            "conversations_failed": self.failed,
            "messages": self.messages,
            "wall_s": round(self.wall, 3),
            "time_limited": self.time_limited,
            "p50_ms": _round(percentile(ms, 50)),
            "p95_ms": _round(percentile(ms, 95)),
            "p99_ms": _round(percentile(ms, 99)),
            "mean_ms": _round(sum(ms) / len(ms)) if ms else None,
            "max_ms": _round(ms[-1]) if ms else None,
            "messages_per_s": _round(self.messages / self.wall if self.wall > 0 else None, 3),
            "p50_ms_by_step": {str(step): _round(percentile(sorted(x * 1000.0 for x in values), 50))
                               for step, values in sorted(self.by_step.items())},
            "failures": [str(f) for f in self.failures],
        }


def percentile(sorted_values: Sequence[float], q: float) -> Optional[float]:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not sorted_values:
        return None
    pos = (len(sorted_values) - 1) * q / 100.0
    low = int(pos)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (pos - low)


def _round(value: Optional[float], digits: int = 1) -> Optional[float]:
    return None if value is None else round(value, digits)


async def _conversation(
    session: aiohttp.ClientSession, webhook: str, script: Script, index: int, result: PhaseResult
) -> None:
    sender = f"bench-{script.system}-{result.concurrency}-{index}-{uuid.uuid4().hex[:8]}"
    messages = script.messages(index)
    answer: List[Dict] = []
    for step, text in enumerate(messages, start=1):
        started = time.perf_counter()
        try:
            async with session.post(webhook, json={"sender": sender, "message": text}) as response:
                body = await response.read()
                status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError) as e:
            error = f"{type(e).__name__}: {e}"
            break
        elapsed = time.perf_counter() - started
        if status != 200:
            error = f"HTTP {status}: {body[:200]!r}"
            break
        try:
            answer = json.loads(body)
        except ValueError:
            error = f"not JSON: {body[:200]!r}"
            break
        if not answered(answer):
            error = f"empty answer: {answer!r}"
            break
        result.latencies.append(elapsed)
        result.by_step.setdefault(step, []).append(elapsed)
    else:
        error = script.check_last(answer)
        if error:
            error = f"{error}: {_text(answer)[:200]!r}"
    result.conversations += 1
    if error:
        result.failed += 1
        result.failures.append(Failure(index, sender, step, text, error))


async def run_load(
    base_url: str, script: Script, concurrency: int, total: int, time_limit: float, request_timeout: float,
    first_index: int = 0, stop: Optional[asyncio.Event] = None, headers: Optional[Dict[str, str]] = None,
) -> PhaseResult:
    """`concurrency` workers run conversations back to back until `total` are done, time is
    up or `stop` is set (conversations under way are finished). `headers`: the REST channel's
    token in production."""
    result = PhaseResult(concurrency, total)
    webhook = f"{base_url}/webhooks/rest/webhook"
    next_index = 0
    timeout = aiohttp.ClientTimeout(total=request_timeout)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, headers=headers) as session:
        started = time.perf_counter()
        deadline = started + time_limit

        async def worker() -> None:
            nonlocal next_index
            while next_index < total:
                if time.perf_counter() >= deadline:
                    result.time_limited = True
                    return
                if stop is not None and stop.is_set():
                    return
                index = next_index
                next_index += 1
                await _conversation(session, webhook, script, first_index + index, result)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result.wall = time.perf_counter() - started
    return result


# --------------------------------------------------------------------------- memory


def _ppid(pid: str) -> Optional[int]:
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    # The command name is in parentheses and may contain spaces: parse after the last ')'.
    return int(stat[stat.rindex(")") + 2:].split()[1])


def process_tree(root: int) -> List[int]:
    children: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            ppid = _ppid(entry)
            if ppid is not None:
                children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def _status_kib(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(root: int) -> float:
    """User + system CPU time of a process and its live children."""
    ticks = 0
    for pid in process_tree(root):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


class RssSampler:
    """Peak of the summed VmRSS of a process and its children, sampled in a thread."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_kib = 0
        self.hwm_kib = 0
        self.processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "RssSampler":
        self._thread.start()
        return self

    def _sample(self) -> None:
        tree = process_tree(self.pid)
        self.peak_kib = max(self.peak_kib, sum(_status_kib(p, "VmRSS") for p in tree))
        hwm = sum(_status_kib(p, "VmHWM") for p in tree)
        if hwm:  # zero once the processes are gone
            self.hwm_kib, self.processes = max(self.hwm_kib, hwm), max(self.processes, len(tree))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def stop(self) -> Dict[str, object]:
        if self._thread.is_alive():
            self._sample()
            self._stop.set()
            self._thread.join()
        return {
            "pid": self.pid,
            "processes": self.processes,
            "peak_vmrss_mib": round(self.peak_kib / 1024, 1),
            "vmhwm_mib": round(self.hwm_kib / 1024, 1),
        }


# --------------------------------------------------------------------------- servers


def child_env() -> Dict[str, str]:
    env = dict(os.environ)
    env.update(SANIC_NO_UVLOOP="true", TF_CPP_MIN_LOG_LEVEL="2", RASA_TELEMETRY_ENABLED="false")
    return env


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_http_ok(url: str, process: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early ({process.returncode}); log {log}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer 200 within {timeout:.0f} s; log {log}:\n{_tail(log)}")


def ensure_demo(train_timeout: float = 1800.0) -> Path:
    """The `rasa init` demo with a trained model, created once and cached in DEMO_DIR."""
    if list((DEMO_DIR / "models").glob("*.tar.gz")):
        return DEMO_DIR
    print(f"Creating and training the `rasa init` demo (once; cached in {DEMO_DIR}) ...", flush=True)
    with tempfile.TemporaryDirectory(prefix="rasa_init_") as tmp:
        init_dir = Path(tmp) / "demo"
        init_dir.mkdir()
        log = Path(tmp) / "rasa_init.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [str(VENV_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(init_dir)],
                cwd=tmp, env=child_env(), stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            try:
                process.wait(train_timeout)
            finally:
                kill_group(process)
        if process.returncode != 0 or not list((init_dir / "models").glob("*.tar.gz")):
            raise RuntimeError(f"`rasa init` failed ({process.returncode}):\n{_tail(log)}")
        staging = DEMO_DIR.with_name(DEMO_DIR.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(init_dir, staging, ignore=shutil.ignore_patterns(".rasa", "__pycache__"))
        shutil.rmtree(DEMO_DIR, ignore_errors=True)
        staging.rename(DEMO_DIR)
    return DEMO_DIR


@dataclass
class Running:
    """A started system: its URL, the Rasa server's pid, and how to stop it."""

    url: str
    rasa_pid: int
    stop: Callable[[], None]
    extra_pids: Dict[str, int] = field(default_factory=dict)


def start_ours(tmp: Path) -> Running:
    database_url = f"sqlite:///{tmp / 'phananh.db'}"
    asyncio.run(prepare_database(database_url))
    stack = Stack(
        database_url, free_port(), free_port(), free_port(), newest_model(), log_dir=tmp / "log",
        extra_env={"TRACKER_SQLITE_PATH": str(tmp / "tracker.db"), "UPLOAD_DIR": str(tmp / "uploads")},
    )
    try:
        stack.start()
    except BaseException:
        stack.stop()
        raise
    pids = {s.name: s.process.pid for s in stack.services if s.process}
    return Running(stack.rasa_url, pids.pop("rasa server"), stack.stop, pids)


def start_demo(tmp: Path, demo_dir: Path, timeout: float = 240.0) -> Running:
    port = free_port()
    endpoints = tmp / "demo_endpoints.yml"
    endpoints.write_text(
        "# Same kind of tracker store as phananh's endpoints.yml: SQL on a SQLite file.\n"
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {json.dumps(str(tmp / 'demo_tracker.db'))}\n"
    )
    log = tmp / "demo_rasa.log"
    with log.open("ab") as output:
        process = subprocess.Popen(
            [str(VENV_BIN / "rasa"), "run", "--enable-api", "--interface", "127.0.0.1", "--port", str(port),
             "--model", str(demo_dir / "models"), "--endpoints", str(endpoints),
             "--credentials", str(demo_dir / "credentials.yml")],
            cwd=demo_dir, env=child_env(), stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http_ok(f"{url}/", process, timeout, log)
    except BaseException:
        kill_group(process)
        raise
    return Running(url, process.pid, lambda: kill_group(process))


# --------------------------------------------------------------------------- one system


@dataclass
class Options:
    levels: List[tuple]  # (concurrency, conversations)
    warmup: int
    time_limit: float
    request_timeout: float


def bench_system(name: str, script: Script, start: Callable[[Path], Running], options: Options) -> Dict[str, object]:
    print(f"\n== {name}: starting ...", flush=True)
    with tempfile.TemporaryDirectory(prefix=f"bench_{name}_") as tmp:
        started = time.perf_counter()
        running = start(Path(tmp))
        samplers: Dict[str, RssSampler] = {}
        try:
            samplers["rasa_server"] = RssSampler(running.rasa_pid).start()
            for service, pid in running.extra_pids.items():
                samplers[service.replace(" ", "_")] = RssSampler(pid).start()
            print(f"   up in {time.perf_counter() - started:.1f} s at {running.url}; "
                  f"warm-up: {options.warmup} conversations", flush=True)
            warm = asyncio.run(run_load(running.url, script, 1, options.warmup, options.time_limit,
                                        options.request_timeout, first_index=0))
            for failure in warm.failures:
                print(f"   warm-up failure: {failure}", flush=True)
            if warm.conversations and warm.failed == warm.conversations:
                raise RuntimeError(f"{name}: every warm-up conversation failed; not measuring")
            levels = {}
            for concurrency, total in options.levels:
                cpu_before = {key: cpu_seconds(sampler.pid) for key, sampler in samplers.items()}
                cpu_before["bench_client"] = time.process_time()
                phase = asyncio.run(run_load(running.url, script, concurrency, total, options.time_limit,
                                             options.request_timeout, first_index=options.warmup))
                cpu_after = {key: cpu_seconds(sampler.pid) for key, sampler in samplers.items()}
                cpu_after["bench_client"] = time.process_time()
                summary = phase.summary()
                summary["cpu_ms_per_message"] = {
                    key: round((cpu_after[key] - cpu_before[key]) * 1000.0 / max(phase.messages, 1), 1)
                    for key in cpu_before}
                levels[str(concurrency)] = summary
                print(f"   {concurrency:>2} users: {phase.conversations} conversations, {phase.messages} messages "
                      f"in {phase.wall:.1f} s, p50 {summary['p50_ms']} ms, {summary['messages_per_s']} msg/s, "
                      f"{phase.failed} failed{' (time limit hit)' if phase.time_limited else ''}", flush=True)
                for failure in phase.failures:
                    print(f"      failure: {failure}", flush=True)
        finally:
            memory = {key: sampler.stop() for key, sampler in samplers.items()}
            running.stop()
    return {
        "warmup": {"conversations": warm.conversations, "failed": warm.failed,
                   "failures": [str(f) for f in warm.failures]},
        "levels": levels,
        "memory": memory,
        "messages_per_conversation": [len(v) for v in script.variants],
    }


# --------------------------------------------------------------------------- report


def machine() -> Dict[str, object]:
    info: Dict[str, object] = {"nproc": os.cpu_count(), "platform": platform.platform(),
                               "python": platform.python_version()}
    try:
        info["nproc"] = int(subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout)
        info["free_h"] = subprocess.run(["free", "-h"], capture_output=True, text=True, check=True).stdout.rstrip()
    except (OSError, subprocess.CalledProcessError, ValueError):
        pass
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return info


def _ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return round(a / b, 3) if a is not None and b else None


def compare(ours: Dict, demo: Dict) -> Dict[str, object]:
    ratios, aims = {}, {}
    for level, mine in ours["levels"].items():
        theirs = demo["levels"].get(level)
        if not theirs:
            continue
        median = _ratio(mine["p50_ms"], theirs["p50_ms"])
        throughput = _ratio(mine["messages_per_s"], theirs["messages_per_s"])
        ratios[level] = {"median_latency": median, "throughput": throughput}
        aims[f"median_latency_ratio_{level}_users"] = {
            "value": median, "aim": f"<= {AIM_MEDIAN_RATIO_MAX}",
            "met": median is not None and median <= AIM_MEDIAN_RATIO_MAX}
        aims[f"throughput_ratio_{level}_users"] = {
            "value": throughput, "aim": f">= {AIM_THROUGHPUT_RATIO_MIN}",
            "met": throughput is not None and throughput >= AIM_THROUGHPUT_RATIO_MIN}
    rss = ours["memory"]["rasa_server"]["peak_vmrss_mib"]
    aims["rasa_server_peak_rss_mib"] = {"value": rss, "aim": f"< {AIM_RASA_RSS_MAX_MIB:.0f} (1.5 GiB)",
                                        "met": rss < AIM_RASA_RSS_MAX_MIB}
    return {"ratios": ratios, "aims": aims}


def render(results: Dict) -> str:
    systems = results["systems"]
    levels = list(next(iter(systems.values()))["levels"])
    lines = [
        f"REST channel benchmark, {results['date']}, {results['machine'].get('nproc')} CPUs "
        f"({results['machine'].get('cpu', '?')})",
        "",
        f"{'system':<16}{'users':>6}{'convs':>7}{'failed':>8}{'msgs':>6}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p99 ms':>9}{'msg/s':>8}",
    ]
    for level in levels:
        for name, data in systems.items():
            s = data["levels"].get(level)
            if not s:
                continue
            fmt = lambda v, spec: "-" if v is None else format(v, spec)  # noqa: E731
            lines.append(
                f"{name:<16}{level:>6}{s['conversations']:>7}{s['conversations_failed']:>8}{s['messages']:>6}"
                f"{fmt(s['p50_ms'], '.0f'):>9}{fmt(s['p95_ms'], '.0f'):>9}{fmt(s['p99_ms'], '.0f'):>9}"
                f"{fmt(s['messages_per_s'], '.2f'):>8}" + ("  (time limit hit)" if s["time_limited"] else ""))
    lines += ["", "median latency by conversation step (ms)"]
    for level in levels:
        for name, data in systems.items():
            steps = (data["levels"].get(level) or {}).get("p50_ms_by_step") or {}
            lines.append(f"  {name:<16}{level:>3} users: " + ", ".join(f"{k}: {v:.0f}" for k, v in steps.items()))
    lines += ["", "CPU time per answered message (ms; the bench client shares the 2 cores)"]
    for level in levels:
        for name, data in systems.items():
            cpu = (data["levels"].get(level) or {}).get("cpu_ms_per_message") or {}
            lines.append(f"  {name:<16}{level:>3} users: "
                         + ", ".join(f"{k.replace('_', ' ')} {v:.0f}" for k, v in cpu.items()))
    lines += ["", f"{'ratio phananh / demo':<24}" + "".join(f"{level + ' users':>11}" for level in levels)
              + f"{'aim':>9}"]
    ratios = results["comparison"]["ratios"]
    for key, label, aim in (("median_latency", "median latency", f"<= {AIM_MEDIAN_RATIO_MAX}"),
                            ("throughput", "throughput (msg/s)", f">= {AIM_THROUGHPUT_RATIO_MIN}")):
        cells = "".join(f"{'-' if ratios.get(l, {}).get(key) is None else format(ratios[l][key], '.2f'):>11}"
                        for l in levels)
        lines.append(f"{label:<24}{cells}{aim:>9}")
    lines += ["", "peak resident memory (sum of VmRSS over the process tree; VmHWM in brackets)"]
    for name, data in systems.items():
        for key, m in data["memory"].items():
            lines.append(f"  {name + ' ' + key.replace('_', ' '):<36}{m['peak_vmrss_mib']:>8.0f} MiB"
                         f"  [{m['vmhwm_mib']:.0f} MiB, {m['processes']} process(es)]")
    lines += ["", "aims"]
    for key, aim in results["comparison"]["aims"].items():
        lines.append(f"  {key:<36}{str(aim['value']):>8}  aim {aim['aim']:<18}{'met' if aim['met'] else 'NOT MET'}")
    failures = [(name, level, f) for name, data in systems.items()
                for level, s in data["levels"].items() for f in s["failures"]]
    lines += ["", f"failed conversations: {len(failures)}"]
    lines += [f"  {name} @ {level} users: {f}" for name, level, f in failures]
    return "\n".join(lines)


def parse_levels(text: str) -> List[tuple]:
    levels = []
    for part in text.split(","):
        users, conversations = part.split(":")
        levels.append((int(users), int(conversations)))
    return levels


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--levels", type=parse_levels, default=parse_levels("1:50,20:200"),
                        help="USERS:CONVERSATIONS pairs, comma-separated (default 1:50,20:200)")
    parser.add_argument("--warmup", type=int, default=5, help="warm-up conversations per server (default 5)")
    parser.add_argument("--time-limit", type=float, default=300.0,
                        help="seconds per load phase; no new conversation starts after it (default 300)")
    parser.add_argument("--request-timeout", type=float, default=60.0, help="seconds per request (default 60)")
    parser.add_argument("--out", type=Path, default=RESULTS_PATH, help=f"JSON results (default {RESULTS_PATH})")
    args = parser.parse_args(argv)
    options = Options(args.levels, args.warmup, args.time_limit, args.request_timeout)

    os.environ.update(RASA_TELEMETRY_ENABLED="false")  # inherited by every server started here
    demo_dir = ensure_demo()  # train before starting any server, so nothing else competes for the CPU
    started = datetime.now().astimezone()
    systems = {
        "phananh": bench_system("phananh", OUR_SCRIPT, start_ours, options),
        "rasa_init_demo": bench_system("rasa_init_demo", DEMO_SCRIPT, lambda tmp: start_demo(tmp, demo_dir), options),
    }
    results = {
        "date": started.isoformat(timespec="seconds"),
        "duration_s": round((datetime.now().astimezone() - started).total_seconds(), 1),
        "command": "PYTHONPATH=. .venv/bin/python -m bench.rest_bench " + " ".join(sys.argv[1:]),
        "machine": machine(),
        "config": {"levels": [{"users": u, "conversations": c} for u, c in options.levels],
                   "warmup_conversations": options.warmup, "time_limit_s": options.time_limit,
                   "request_timeout_s": options.request_timeout, "model": str(newest_model()),
                   "demo_dir": str(demo_dir), "our_openings": list(REPORT_OPENINGS),
                   "our_followups": list(REPORT_REST), "demo_messages": list(DEMO_MESSAGES)},
        "systems": systems,
    }
    results["comparison"] = compare(systems["phananh"], systems["rasa_init_demo"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print("\n" + render(results))
    print(f"\nJSON: {args.out}")
    failed = sum(s["conversations_failed"] for d in systems.values() for s in d["levels"].values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
