"""The processes of the crash-safety test: a launcher, the writers it forks, the checkers.

``python -m minimalkv.contract._crash_process`` runs the launcher. It reads JSON lines on
stdin and answers JSON lines on the standard output it was started with (what a store prints
goes to standard error instead):

- ``{"recipe": ..., "path": [...]}`` first: extend ``sys.path``, import what the recipe needs
  (:meth:`StoreRecipe.prepare`), answer ``{"ready": true}``. The launcher never opens a store,
  so every process it forks starts with the store's modules loaded and nothing of a store to
  share.
- ``{"write": {...}}``: fork a writer. The writer opens the store, says ``{"started": pid}``
  itself, then writes and overwrites the keys until it is killed, logging each call to its log
  file (see :func:`run_writer`).
- ``{"reap": pid}``: wait for that writer (the test killed it); answer ``{"reaped": pid,
  "signal": n, "exit": n}``.
- ``{"check": [keys]}``: fork a checker, a fresh process that opens the store, lists it and
  reads every key; answer ``{"checked": result}`` (see :func:`check_store`).

End of input ends the launcher, and any writer still running with it.
"""

from __future__ import annotations

import io
import json
import math
import os
import random
import signal
import sys
import time
import traceback
from collections.abc import Sequence
from typing import Any, Final, NoReturn

from minimalkv import KeyNotFoundError

from ._recipe import StoreRecipe

__all__ = ["OPERATIONS", "check_store", "make_value", "read_value", "run_writer"]

OPERATIONS: Final = ("put", "put_file-stream", "put_file-path", "put_many")
"""The writing calls a writer makes, in turn chosen at random."""

_MAGIC: Final = b"MKVCRASH"
_WRITER_SECONDS: Final = 120.0
"""A writer never killed stops by itself after this long (the test has died)."""


def _header(key: str, round_: int, seq: int, size: int) -> bytes:
    # The size has a fixed width, so that the header's length does not depend on it.
    return b"%s%s %012d\n" % (_MAGIC, json.dumps([key, round_, seq]).encode(), size)


def _fill(round_: int, seq: int) -> bytes:
    return bytes([1 + (round_ * 131 + seq * 31) % 254])


def make_value(key: str, round_: int, seq: int, size: int) -> bytes:
    """Return the value write ``seq`` of writer ``round_`` puts under ``key``.

    A header naming the key, the writer, the write and the size; one repeated byte; the header
    again. Whole means exactly that: a value cut short, mixed from two writes or stored under
    another key is told apart by :func:`read_value`. ``size`` is raised to fit the headers.
    """
    header = _header(key, round_, seq, 0)
    size = max(size, 2 * len(header))
    header = _header(key, round_, seq, size)
    return b"".join((header, _fill(round_, seq) * (size - 2 * len(header)), header))


def read_value(key: str, data: bytes) -> list[int] | str:
    """Return ``[round, seq]`` of the whole value ``data`` of ``key``, or what is wrong with it."""
    end = data.find(b"\n", 0, 1024)
    if not data.startswith(_MAGIC) or end < 0:
        return f"no header: {len(data)} bytes starting {data[:40]!r}"
    header = data[: end + 1]
    try:
        described, _, size_text = data[len(_MAGIC) : end].rpartition(b" ")
        written_key, round_, seq = json.loads(described)
        size = int(size_text)
    except ValueError:
        return f"an unreadable header {header!r}"
    where = f"writer {round_}, write {seq}, {size} bytes"
    if written_key != key:
        return f"the value of key {written_key!r} ({where})"
    if len(data) != size:
        return f"torn: {len(data)} bytes of a value of {where}"
    if not data.endswith(header):
        return f"mixed: the value of {where} ends with {data[-len(header) :]!r}"
    body = data[len(header) : size - len(header)]
    fill = _fill(round_, seq)
    if body.count(fill) != len(body):
        offset = next(i for i, byte in enumerate(body) if byte != fill[0])
        return (
            f"mixed: byte {len(header) + offset} of the value of {where} is "
            f"{body[offset : offset + 1]!r}, not {fill!r}"
        )
    return [round_, seq]


def _send(fd: int, message: dict[str, Any]) -> None:
    """Write one JSON line with one system call (a pipe keeps it whole up to PIPE_BUF)."""
    data = json.dumps(message).encode() + b"\n"
    while data:
        data = data[os.write(fd, data) :]


def _value_size(rng: random.Random, low: int, high: int) -> int:
    """Log-uniform between ``low`` and ``high``: small and large values alike."""
    return int(math.exp(rng.uniform(math.log(low), math.log(high))))


def run_writer(recipe: StoreRecipe, spec: dict[str, Any], out: int) -> NoReturn:
    """Write and overwrite ``spec["keys"]`` until killed; this (forked) process then ends.

    Each call is logged to ``spec["log"]`` before it starts (``["B", seq, operation, keys]``)
    and after it returns (``["E", seq]``), one ``write`` per record to a file opened for
    appending: what was logged survives the kill, and a record cut short by it is not a
    whole line. An error is logged as ``["X", text]`` and ends the writer with status 3.
    """
    status = 3
    log = -1
    started: list[bool] = []
    try:
        log = os.open(spec["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        _write_until_killed(recipe, spec, out, log, started)
        status = 0
    except BaseException:
        error = traceback.format_exc()
        if log >= 0:
            os.write(log, json.dumps(["X", error]).encode() + b"\n")
        if not started:  # the test is waiting for the start: tell it why there is none
            _send(out, {"failed": os.getpid(), "error": error})
    finally:
        os._exit(status)


def _write_until_killed(
    recipe: StoreRecipe, spec: dict[str, Any], out: int, log: int, started: list[bool]
) -> None:
    def record(entry: list[Any]) -> None:
        os.write(log, json.dumps(entry).encode() + b"\n")

    rng = random.Random(spec["seed"])
    keys: list[str] = spec["keys"]
    round_: int = spec["round"]
    low, high = spec["sizes"]
    store = recipe.open()
    _send(out, {"started": os.getpid()})
    started.append(True)
    launcher = os.getppid()
    deadline = time.monotonic() + _WRITER_SECONDS
    seq = 0
    while time.monotonic() < deadline and os.getppid() == launcher:
        operation = rng.choice(OPERATIONS)
        chosen = rng.sample(keys, 2) if operation == "put_many" else [rng.choice(keys)]
        values = [make_value(k, round_, seq, _value_size(rng, low, high)) for k in chosen]
        source = os.path.join(spec["scratch"], f"source-{round_}-{seq}")
        if operation == "put_file-path":
            with open(source, "wb") as file:
                file.write(values[0])
        record(["B", seq, operation, chosen])
        if operation == "put":
            store.put(chosen[0], values[0])
        elif operation == "put_file-stream":
            store.put_file(chosen[0], io.BytesIO(values[0]))
        elif operation == "put_file-path":
            store.put_file(chosen[0], source)
        else:
            store.put_many(list(zip(chosen, values, strict=True)))
        record(["E", seq])
        if operation == "put_file-path":
            os.unlink(source)
        seq += 1


def check_store(recipe: StoreRecipe, keys: Sequence[str]) -> dict[str, Any]:
    """Open the store afresh, list it and read ``keys``; return what was found.

    ``{"listed": [...], "found": {key: null | [round, seq] | "what is wrong"}}``, or
    ``{"error": text}`` when a call raised.
    """
    try:
        store = recipe.open()
        try:
            listed = sorted(store.keys())
            found: dict[str, list[int] | str | None] = {}
            for key in keys:
                try:
                    found[key] = read_value(key, store.get(key))
                except KeyNotFoundError:
                    found[key] = None
        finally:
            store.close()
    except Exception:
        return {"error": traceback.format_exc()}
    return {"listed": listed, "found": found}


def _fork_checker(recipe: StoreRecipe, keys: Sequence[str]) -> dict[str, Any]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the checker
        status = 1
        try:
            os.close(read_end)
            data = json.dumps(check_store(recipe, keys)).encode()
            while data:
                data = data[os.write(write_end, data) :]
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    chunks = []
    with os.fdopen(read_end, "rb") as pipe:
        chunks.append(pipe.read())
    _, wait_status = os.waitpid(pid, 0)
    raw = b"".join(chunks)
    if not raw:
        return {"error": f"the checker process ended without an answer (wait status {wait_status})"}
    result: dict[str, Any] = json.loads(raw)
    return result


def main() -> None:
    """Run the launcher (see the module docstring)."""
    # The answers get a descriptor of their own; standard output becomes standard error, so
    # that whatever a store prints cannot corrupt them.
    out = os.dup(sys.stdout.fileno())
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    commands = sys.stdin.buffer
    first = json.loads(commands.readline())
    sys.path[:0] = [entry for entry in first["path"] if entry not in sys.path]
    recipe = StoreRecipe.from_json(first["recipe"])
    try:
        recipe.prepare()
    except Exception:
        _send(out, {"error": traceback.format_exc()})
        return
    _send(out, {"ready": True})
    writers: set[int] = set()
    try:
        for line in commands:
            command = json.loads(line)
            if "write" in command:
                pid = os.fork()
                if pid == 0:
                    run_writer(recipe, command["write"], out)
                writers.add(pid)
            elif "reap" in command:
                pid = command["reap"]
                _, status = os.waitpid(pid, 0)
                writers.discard(pid)
                _send(
                    out,
                    {
                        "reaped": pid,
                        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0,
                        "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1,
                    },
                )
            elif "check" in command:
                _send(out, {"checked": _fork_checker(recipe, command["check"])})
    finally:
        for pid in writers:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass


if __name__ == "__main__":
    main()
