#!/usr/bin/python3
"""server.py: the Python original, the system the bug was reported on.

An asyncio + websockets server (Debian's python3-websockets 10.4, its
"legacy" asyncio API, run with /usr/bin/python3) that speaks sendlab/1
(docs/protocol.md) like the C servers, so the same harness measures it.
python-websockets issue #1614 ("Send delay") is this code's bug: a handler
that computes between sends, on the event loop.

    /usr/bin/python3 src/python/server.py --variant create-task --port 0

--variant picks one of the patterns people really write; each is a few
lines in run_job() below, and docs/variants.md ("Python -> C") says which
C configuration behaves the same and what the experiment measured:

    create-task   asyncio.create_task(ws.send(r)) after each item: the bug
    await-send    await ws.send(r) after each item
    sleep0        await ws.send(r); await asyncio.sleep(0)
    drain         await ws.send(r) with a write buffer limit of 0, so send
                  returns only once the frame is in the kernel: C's flush
    pingpong      await ws.send(r); await (await ws.ping())
    to-thread     each item in await asyncio.to_thread(...)
    process-pool  each item in a ProcessPoolExecutor
    partition     each item in slices of --slice-ms with
                  await asyncio.sleep(0) between them

The work is pure Python (the C kernel's xorshift64* steps, a fixed number
per item measured at start-up like the C servers), so it holds the GIL as
real Python code does. Times are time.monotonic_ns(), CLOCK_MONOTONIC, the
harness's clock. Errors are the C servers' sentences, byte for byte, for
every input of src/tests/test_badinput.c; the one difference is invalid
UTF-8 in a text frame, which websockets answers by closing with 1007 (RFC
6455 section 8.1 requires it) where the C servers echo U+FFFD.
"""
import argparse
import asyncio
import concurrent.futures
import json
import math
import os
import signal
import sys
import threading
import time
from collections import deque

try:
    import websockets
except ImportError:
    sys.exit("server.py: python3-websockets is missing: run scripts/install-deps.sh "
             "(it runs apt-get install python3-websockets)")

VARIANTS = ("create-task", "await-send", "sleep0", "drain", "pingpong",
            "to-thread", "process-pool", "partition")

# sendlab/1's limits (src/common/wire.h)
MAX_MESSAGE = 4096
ITEMS_MAX, WORK_MS_MAX, JOB_MS_MAX = 1000, 10000, 60000
ID_MAX_CHARS = 64
TIME_MAX = 2**53 - 1
LAG_PERIOD_US, LAG_STALL_US, LAG_WINDOW = 10000, 100000, 8192
CHUNK_ITERS = 1 << 12   # kernel steps between looks at the stop flag

M64 = (1 << 64) - 1


def now_us():
    return time.monotonic_ns() // 1000


# ---------------------------------------------------------------- the work

def mix_seed(seed):
    """splitmix64, as work.c: any seed becomes a non-zero starting state."""
    z = (seed + 0x9E3779B97F4A7C15) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    z ^= z >> 31
    return z or 1


class Spin:
    """One item of cpu work, resumable: run(n) does up to n more steps.
    The checksum is the C kernel's, so the steps cannot be skipped."""

    def __init__(self, iterations, seed):
        self.left, self.x, self.sum = iterations, mix_seed(seed), 0

    def run(self, budget, stop=None):
        x, s = self.x, self.sum
        while self.left > 0 and budget > 0:
            if stop is not None and stop.is_set():
                break
            n = min(self.left, budget, CHUNK_ITERS)
            part = 0
            for _ in range(n):
                x ^= x >> 12
                x ^= (x << 25) & M64
                x ^= x >> 27
                part += x * 0x2545F4914F6CDD1D
            s = (s * 31 + part) & M64
            self.left -= n
            budget -= n
        self.x, self.sum = x, s
        return self.left == 0

    @property
    def value(self):
        return self.sum & TIME_MAX      # 53 bits: every JSON reader holds it


def calibrate(trials=15):
    """Kernel steps per millisecond of this thread's CPU time: the median
    of `trials` runs of ~11 ms (the fastest is a lucky moment), after
    ~25 ms of warming up. Measured on the reference machine: a python3
    process runs these steps either fast or about 1.6 times slower, the
    same for most of its life (10 processes: 5 of each, with or without
    address-space randomisation), so a figure from one process makes
    another's items 0.6 or 1.6 times too long; make experiment lets each
    Python server measure its own. Honest limit: a process that changes
    speed after this still gets items of another length (make
    experiment's same-work check then names it)."""
    n = 1 << 16
    Spin(2 * n, 0).run(2 * n)           # warm up
    per_ms = []
    for t in range(trials):
        t0 = time.thread_time_ns()
        Spin(n, t).run(n)
        per_ms.append(n * 1_000_000 // max(1, time.thread_time_ns() - t0))
    return max(1, sorted(per_ms)[trials // 2])


def compute_item(kind, work_ms, iters_per_ms, seed, stop=None):
    """One whole item on the calling thread (or process). Returns
    (t_start_us, t_done_us, cpu_us, value); value is None if stopped."""
    t0, c0 = now_us(), time.thread_time_ns()
    if kind == "sleep":
        time.sleep(work_ms / 1000)      # a synchronous I/O call
        value = 0
    else:
        spin = Spin(work_ms * iters_per_ms, seed)
        value = spin.value if spin.run(spin.left, stop) else None
    return t0, now_us(), (time.thread_time_ns() - c0) // 1000, value


async def compute_in_slices(kind, work_ms, iters_per_ms, seed, slice_ms):
    """partition: the item in slices of at most slice_ms, giving the loop
    one turn (asyncio.sleep(0)) after each slice but the last."""
    t0, cpu = now_us(), 0
    spin = Spin(work_ms * iters_per_ms, seed)
    left_ms = work_ms
    while True:
        c0 = time.thread_time_ns()
        if kind == "sleep":
            time.sleep(min(slice_ms, left_ms) / 1000)
            left_ms -= slice_ms
            done = left_ms <= 0
        else:
            done = spin.run(slice_ms * iters_per_ms)
        cpu += time.thread_time_ns() - c0
        if done:
            break
        await asyncio.sleep(0)
    value = 0 if kind == "sleep" else spin.value
    return t0, now_us(), cpu // 1000, value


# ----------------------------------------------------- sendlab/1 requests

EXAMPLE = '{"op":"echo","t_us":1}'
OP_RULE = 'one of "run", "echo", "stats"'
RULES = {"op": OP_RULE, "items": "an integer from 1 to 1000",
         "work_ms": "an integer from 0 to 10000",
         "t_us": "an integer from 0 to 9007199254740991",
         "since_us": "an integer from 0 to 9007199254740991",
         "id": "a string of at most 64 characters"}
RANGES = {"items": (1, ITEMS_MAX), "work_ms": (0, WORK_MS_MAX),
          "t_us": (0, TIME_MAX), "since_us": (0, TIME_MAX)}
# LEJP's reasons (lejp_error_to_string) for what Python's json reports
JSON_REASONS = {"Expecting property name enclosed in double quotes": "Expected '\"'",
                "Expecting ',' delimiter": "Comma or block end expected",
                "Expecting ':' delimiter": "Expected ':'",
                "Invalid control character at": "Illegal unescaped control char",
                "Invalid \\escape": "Illegal escape format",
                "Invalid \\uXXXX escape": "Illegal hex number",
                "Expecting value": "Illegal value start"}


class BadRequest(Exception):
    """A request the server answers with {"op":"error","error":str(e)}."""


class Fraction(str):
    """A JSON number with a fraction or exponent (a type error, never used)."""


def type_name(v):
    if isinstance(v, bool):
        return "a boolean"
    return {int: "an integer", Fraction: "a number with a fraction or exponent",
            str: "a string", type(None): "null", dict: "an object",
            list: "an array"}[type(v)]


def bad_constant(name):
    raise ValueError(name)              # NaN and Infinity are not JSON


def lejp_limits(text):
    """What LEJP refuses that Python's json accepts, found by a scan outside
    strings: (byte offset, sentence) of the first, or None. LEJP holds
    numbers of 20 characters, arrays 5 deep and objects 11 deep, and would
    skip a '#' as a comment. (Not imitated: LEJP also counts arrays that
    were already closed, and accepts numbers like 007.)"""
    in_str = esc = False
    arrays = objects = 0
    num_start = None
    for i, ch in enumerate(text):
        if in_str:
            esc, in_str = (not esc and ch == "\\"), (esc or ch != '"')
            continue
        if ch in "-+.eE0123456789":
            num_start = i if num_start is None else num_start
            if i - num_start + 1 > 20:
                return num_start, ("the number at byte %d has more than 20 "
                                   "characters: no field of sendlab/1 needs that many")
            continue
        num_start = None
        if ch == '"':
            in_str = True
        elif ch == "#":
            return i, ("not valid JSON at byte %d: JSON has no comments, and "
                       "'#' may appear only inside a string")
        elif ch in "[{":
            arrays += ch == "["
            objects += ch == "{"
            if arrays > 5 or objects > 11:     # measured on server-blocking
                return i + (ch == "{"), ("JSON nested too deeply at byte %d: "
                                         "sendlab/1 requests are flat objects")
        elif ch in "]}":
            arrays -= ch == "]"
            objects -= ch == "}"
    return None


def byte_at(text, pos):
    return len(text[:pos].encode("utf-8", "surrogatepass"))


def parse_json(text):
    """The message as a dict, or BadRequest with the C parser's sentence."""
    if not text.strip(" \t\r\n"):
        raise BadRequest("empty message: send one JSON object per text frame, like " + EXAMPLE)
    seen = []

    def pairs(kv):
        seen.append([k for k, _ in kv])
        return dict(kv)
    limit = lejp_limits(text)
    try:
        obj = json.loads(text, object_pairs_hook=pairs, parse_float=Fraction,
                         parse_constant=bad_constant)
        syntax = None
    except json.JSONDecodeError as e:
        syntax = (e.pos, e.msg)
    except ValueError as e:             # NaN or Infinity, from bad_constant
        syntax = (max(0, text.find(str(e))), "Expecting value")
    if limit and (syntax is None or limit[0] <= syntax[0]):
        raise BadRequest(limit[1] % byte_at(text, limit[0]))
    if syntax:
        pos, msg = syntax
        if msg == "Extra data":
            raise BadRequest("unexpected data at byte %d after the JSON object: "
                             "send one object per frame" % byte_at(text, pos))
        if not text.lstrip(" \t\r\n").startswith("{"):
            raise BadRequest("not valid JSON: send one JSON object per text frame, like " + EXAMPLE)
        if pos >= len(text.rstrip(" \t\r\n")) or msg.startswith("Unterminated string"):
            raise BadRequest("not valid JSON: the message ended before the object was closed")
        if msg.startswith("Invalid \\uXXXX"):   # LEJP names the first non-hex digit
            pos += 1
            while text[pos:pos + 1] in set("0123456789abcdefABCDEF"):
                pos += 1
        elif msg.startswith("Invalid \\escape"):  # and the letter after the backslash
            pos += 1
        reason = next((r for m, r in JSON_REASONS.items() if msg.startswith(m)), "Unknown token")
        raise BadRequest("not valid JSON at byte %d: %s" % (byte_at(text, pos), reason))
    if not isinstance(obj, dict):
        raise BadRequest("the message must be a JSON object like %s, not %s"
                         % (EXAMPLE, type_name(obj)))
    top = seen[-1]                      # the outermost object comes last
    for field in RULES:                 # the C field table's order
        if top.count(field) > 1:
            raise BadRequest('field "%s" appears more than once' % field)
    return obj


def take_int(req, field, required=True):
    if field not in req:
        if required:
            raise BadRequest('missing field "%s": it must be %s' % (field, RULES[field]))
        return None
    v = req[field]
    if type(v) is not int:
        raise BadRequest('field "%s" must be %s, not %s' % (field, RULES[field], type_name(v)))
    lo, hi = RANGES[field]
    if not -2**63 <= v < 2**63:
        raise BadRequest('field "%s" must be %s; got a number too large to represent'
                         % (field, RULES[field]))
    if not lo <= v <= hi:
        raise BadRequest('field "%s" must be %s, got %d' % (field, RULES[field], v))
    return v


def parse_request(text):
    """A valid request as a dict with "op" and its fields, or BadRequest."""
    req = parse_json(text)
    op = req.get("op")
    if "op" not in req:
        raise BadRequest('missing field "op": it must be ' + OP_RULE)
    if not isinstance(op, str):
        raise BadRequest('field "op" must be %s, not %s' % (OP_RULE, type_name(op)))
    if op == "echo":
        return {"op": op, "t_us": take_int(req, "t_us")}
    if op == "stats":
        return {"op": op, "since_us": take_int(req, "since_us", required=False)}
    if op != "run":
        raise BadRequest('unknown op: "op" must be ' + OP_RULE)
    items, work_ms = take_int(req, "items"), take_int(req, "work_ms")
    run = {"op": op, "items": items, "work_ms": work_ms}
    if "id" in req:
        ident = req["id"]
        if not isinstance(ident, str):
            raise BadRequest('field "id" must be %s, not %s' % (RULES["id"], type_name(ident)))
        # the C parser keeps 390 bytes of it, an escaped pair taking 6
        raw = sum(6 if ord(c) > 0xFFFF else len(c.encode("utf-8", "surrogatepass"))
                  for c in ident)
        if raw > 6 * (ID_MAX_CHARS + 1):
            raise BadRequest('field "id" must be %s; got more than %d'
                             % (RULES["id"], ID_MAX_CHARS + 1))
        # json.loads pairs escaped surrogates; one left alone ("\ud800")
        # is not Unicode and would not come back as sent: refused
        for pos, c in enumerate(ident, 1):
            if 0xD800 <= ord(c) <= 0xDFFF:
                raise BadRequest('field "id" must be valid Unicode; character %d '
                                 'is a lone UTF-16 surrogate, \\u%04x' % (pos, ord(c)))
        if len(ident) > ID_MAX_CHARS:
            raise BadRequest('field "id" must be %s; got %d characters'
                             % (RULES["id"], len(ident)))
        run["id"] = ident
    if items * work_ms > JOB_MS_MAX:
        raise BadRequest("items * work_ms must be at most %d ms, got %d * %d = %d"
                         % (JOB_MS_MAX, items, work_ms, items * work_ms))
    return run


def frame(**fields):
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


# -------------------------------------------------- the event-loop lag monitor

class LagMonitor:
    """A timer due every 10 ms on the loop, recording how late it fired
    (lag.c's monitor): the samples serve "stats" and --lag-log."""

    def __init__(self, log_path, quiet):
        self.samples = deque(maxlen=LAG_WINDOW)     # (t_us, lag_us)
        self.quiet = quiet
        self.log = open(log_path, "a", buffering=1) if log_path else None
        if self.log and self.log.tell() == 0:
            self.log.write("t_us,lag_us\n")

    def start(self):
        self.loop = asyncio.get_running_loop()
        self._arm()

    def _arm(self):
        self.due_us = now_us() + LAG_PERIOD_US
        # loop.time() is time.monotonic(): the same clock, in seconds
        self.loop.call_at(self.loop.time() + LAG_PERIOD_US / 1e6, self._fire)

    def _fire(self):
        t = now_us()
        late = max(0, t - self.due_us)
        self.samples.append((t, late))
        if self.log:
            self.log.write("%d,%d\n" % (t, late))
        if late > LAG_STALL_US and not self.quiet:
            print("event loop blocked for %d ms" % (late // 1000), file=sys.stderr)
        self._arm()                     # from now: one sample per stall

    def summary(self, since_us):
        lags = sorted(lag for t, lag in self.samples if t >= since_us)

        def rank(p):                    # nearest rank, as common/stats.c
            return lags[max(0, math.ceil(p * len(lags) / 100) - 1)] if lags else 0
        return dict(samples=len(lags), lag_p50_us=rank(50), lag_p99_us=rank(99),
                    lag_max_us=lags[-1] if lags else 0,
                    stalls=sum(lag > LAG_STALL_US for lag in lags))


# ----------------------------------------------------------- the variants

class Server:
    def __init__(self, args, iters_per_ms):
        self.args, self.ipm = args, iters_per_ms
        self.name = "py-" + args.variant
        self.lag = LagMonitor(args.lag_log, args.quiet)
        self.clients = 0
        self.pool = None                # process-pool: the worker processes

    async def send_result(self, ws, job, seq, timing):
        """Writes one result frame, stamping t_send_us as it goes out."""
        t_start, t_done, cpu_us, value = timing
        fields = dict(op="result", variant=self.name)
        if "id" in job:
            fields["id"] = job["id"]
        fields.update(seq=seq, items=job["items"], work_ms=job["work_ms"],
                      t_recv_us=job["t_recv_us"], t_start_us=t_start,
                      t_done_us=t_done, t_send_us=now_us(), cpu_us=cpu_us, value=value)
        await ws.send(frame(**fields))
        job["sent"] = seq + 1

    async def run_job(self, ws, job, stop):
        """The job: job["items"] items, one result each. The variant is the
        few lines of each branch; everything else is the same."""
        loop = asyncio.get_running_loop()
        v, kind, work_ms = self.args.variant, self.args.work, job["work_ms"]
        pending = set()                 # create-task: sends not yet run
        try:
            await self._items(ws, job, stop, loop, v, kind, work_ms, pending)
            await asyncio.gather(*pending)
        except websockets.ConnectionClosed:
            pass                        # the client left: nothing to write to
        finally:
            for task in pending:
                task.cancel()

    async def _items(self, ws, job, stop, loop, v, kind, work_ms, pending):
        for seq in range(job["items"]):
            item = (kind, work_ms, self.ipm, seq + 1)
            if v == "to-thread":        # a worker thread, which needs the GIL
                timing = await asyncio.to_thread(compute_item, *item, stop)
            elif v == "process-pool":   # another process, another GIL
                timing = await loop.run_in_executor(self.pool, compute_item, *item)
            elif v == "partition":
                timing = await compute_in_slices(*item, self.args.slice_ms)
            else:                       # on the event loop itself
                timing = compute_item(*item)

            if v == "create-task":      # queued: runs when the loop next turns
                task = asyncio.create_task(self.send_result(ws, job, seq, timing))
                pending.add(task)
                task.add_done_callback(pending.discard)
            elif v == "sleep0":         # send, then yield the loop once
                await self.send_result(ws, job, seq, timing)
                await asyncio.sleep(0)
            elif v == "pingpong":       # send, then wait for a round trip
                await self.send_result(ws, job, seq, timing)
                pong = await ws.ping()
                try:
                    await asyncio.wait_for(pong, self.args.pong_timeout_ms / 1000)
                except asyncio.TimeoutError:
                    await ws.send(frame(op="error", error=(
                        "no pong within %d ms of the ping after result %d: the job is "
                        "abandoned (a client must answer WebSocket pings)"
                        % (self.args.pong_timeout_ms, seq))))
                    return
            else:                       # await-send, drain, and the offloads
                await self.send_result(ws, job, seq, timing)

    async def handler(self, ws, path):
        """One connection: reads requests for as long as it is open; a job
        runs as a task of its own, so echo and stats are read meanwhile."""
        if self.clients >= self.args.max_clients:
            if not self.args.quiet:
                print("server full: refused a client", file=sys.stderr)
            await ws.close(1013, "server full: %d clients already connected (--max-clients)"
                           % self.clients)
            return
        self.clients += 1
        if self.args.variant == "drain":
            # send()'s own drain() now waits until the kernel has the frame
            ws.transport.set_write_buffer_limits(high=0)
        opened, job, task, stop = now_us(), None, None, threading.Event()
        tasks = set()                   # this connection's jobs still running
        try:
            async for message in ws:
                t_recv = now_us()
                try:
                    if isinstance(message, bytes):
                        raise BadRequest("binary frames are not part of sendlab/1: "
                                         "send each JSON object as a text frame")
                    req = parse_request(message)
                    if req["op"] == "echo":
                        await ws.send(frame(op="echo", t_us=req["t_us"], t_server_us=now_us()))
                    elif req["op"] == "stats":
                        since = opened if req["since_us"] is None else req["since_us"]
                        await ws.send(frame(op="stats", variant=self.name, since_us=since,
                                            **self.lag.summary(since)))
                    elif task and not task.done() and job["sent"] < job["items"]:
                        # busy until the last result is written (pingpong
                        # then still waits for its PONG, as the C server)
                        raise BadRequest(
                            "busy: this connection's job is still running (%d of %d results "
                            "sent); send the next run after its last result"
                            % (job["sent"], job["items"]))
                    else:
                        job = dict(req, t_recv_us=t_recv, sent=0)
                        task = asyncio.create_task(self.run_job(ws, job, stop))
                        tasks.add(task)
                        task.add_done_callback(tasks.discard)
                except BadRequest as e:
                    await ws.send(frame(op="error", error=str(e)))
        except websockets.ConnectionClosed:
            pass
        finally:
            self.clients -= 1
            stop.set()                  # a worker thread stops at its next chunk
            for t in list(tasks):
                t.cancel()              # the client left: stop writing to it
            # Honest limit: a process-pool worker cannot see `stop` and
            # finishes the item it has (at most work_ms) for nobody.

    async def process_request(self, path, headers):
        """Only ws://HOST:PORT/ with subprotocol sendlab (or none)."""
        if path != "/" or "Upgrade" not in headers:
            return 404, [("Content-Type", "text/plain")], b"sendlab: not found\n"
        offered = headers.get("Sec-WebSocket-Protocol")
        if offered and "sendlab" not in [p.strip() for p in offered.split(",")]:
            return 400, [("Content-Type", "text/plain")], b"sendlab: subprotocol must be sendlab\n"
        return None

    async def serve(self):
        loop = asyncio.get_running_loop()
        stopped = loop.create_future()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, lambda: stopped.done() or stopped.set_result(None))
        self.lag.start()
        async with websockets.serve(self.handler, self.args.host, self.args.port,
                                    subprotocols=["sendlab"], max_size=MAX_MESSAGE,
                                    ping_interval=None, compression=None,
                                    process_request=self.process_request) as server:
            host, port = server.sockets[0].getsockname()[:2]
            print("listening on ws://%s:%d/" % (host, port), flush=True)
            await stopped


# ------------------------------------------------------------ command line

def int_in(lo, hi):
    def check(s):
        try:
            v = int(s, 10)
        except ValueError:
            raise argparse.ArgumentTypeError("'%s' is not an integer" % s)
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError("%d is not in %d..%d" % (v, lo, hi))
        return v
    return check


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="server.py", description="sendlab/1 on asyncio + websockets: the Python original.",
        epilog='Prints "listening on ws://HOST:PORT/" when ready; SIGINT or SIGTERM stops it.')
    p.add_argument("--variant", choices=VARIANTS, default="create-task",
                   help="the pattern under test (default create-task, the reported bug)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; any other exposes a "
                        "lab server that has no authentication)")
    p.add_argument("--port", type=int_in(0, 65535), default=7681,
                   help="TCP port, 0 for any free one (default 7681)")
    p.add_argument("--work", choices=("cpu", "sleep"), default="cpu",
                   help="a work item is cpu (pure Python) or sleep (time.sleep)")
    p.add_argument("--iters-per-ms", type=int_in(1, 10**9),
                   help="the kernel's speed to assume instead of measuring it")
    p.add_argument("--calibrate", action="store_true",
                   help='measure the kernel\'s speed, print "iters_per_ms N" and exit')
    p.add_argument("--lag-log", metavar="FILE",
                   help="append event-loop lag samples to FILE as CSV t_us,lag_us")
    p.add_argument("--max-clients", type=int_in(1, 1000), default=256,
                   help="connections at once (default 256); the next is closed with 1013")
    p.add_argument("--slice-ms", type=int_in(1, 1000),
                   help="partition only: ms of work per slice (default 5)")
    p.add_argument("--pong-timeout-ms", type=int_in(1, 60000),
                   help="pingpong only: abandon the job after this (default 5000)")
    p.add_argument("--quiet", action="store_true", help="print no stall warnings")
    for gone in ("--send", "--threads"):
        if any(a == gone or a.startswith(gone + "=") for a in argv):
            p.error("%s is for the C servers: asyncio's transport decides how a frame "
                    "is written, and --variant picks the pattern" % gone)
    args = p.parse_args(argv)
    for opt, variant, default in (("slice_ms", "partition", 5), ("pong_timeout_ms", "pingpong", 5000)):
        if getattr(args, opt) is None:
            setattr(args, opt, default)
        elif args.variant != variant:
            p.error("--%s is for --variant %s only" % (opt.replace("_", "-"), variant))
    return args


def main(argv):
    args = parse_args(argv)
    if args.calibrate:
        print("iters_per_ms %d" % calibrate(31))
        return 0
    ipm = args.iters_per_ms or calibrate()
    server = Server(args, ipm)
    if args.variant == "process-pool":
        # forked now, before the loop and its threads exist, and started:
        # the first job must not pay for the start-up
        server.pool = concurrent.futures.ProcessPoolExecutor(os.cpu_count())
        list(server.pool.map(int, range(os.cpu_count())))
    if not args.quiet:
        print("server.py: variant=%s work=%s (%d iterations/ms, %s)"
              % (server.name, args.work, ipm, "given" if args.iters_per_ms else "measured"),
              file=sys.stderr)
        if args.host not in ("127.0.0.1", "localhost", "::1"):
            print("warning: listening on %s: anyone who can reach it can make this "
                  "server compute (there is no authentication)" % args.host, file=sys.stderr)
    try:
        asyncio.run(server.serve())
    except OSError as e:
        print("server.py: cannot listen on %s:%d: %s" % (args.host, args.port, e.strerror),
              file=sys.stderr)
        return 1
    finally:
        if server.pool:
            server.pool.shutdown(cancel_futures=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
