#!/usr/bin/env python3
"""Runs the README's first hour as written, as a newcomer would.

Every ```sh first-hour block of README.md runs in order in a fresh directory, with `vigo` on
PATH: `vigo demo` in the background (until it prints its next steps), then the `export` lines it
printed, then every later block, and then the demo's own copy-paste lines. It fails on a
command that fails, an answer of curl that is not GraphQL JSON with data or that reports an
internal error, and log lines on the demo's stdout.

    VIGO=target/debug/vigo python3 tests/first_hour.py
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
VIGO = os.path.abspath(os.environ.get("VIGO", os.path.join(TARGET, "debug", "vigo")))


def blocks(readme):
    """The first-hour blocks, in order."""
    return re.findall(r"```sh first-hour\n(.*?)```", readme, re.S)


def fail(message):
    print(f"FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def check_graphql(command, output):
    """Each curl answer is one GraphQL response: JSON with data, and no internal error."""
    for text in re.findall(r"^\{.*$", output, re.M):
        try:
            answer = json.loads(text)
        except json.JSONDecodeError as e:
            fail(f"{command!r} answered what is not JSON ({e}): {text[:200]}")
        if "data" not in answer:
            fail(f"{command!r} answered without data: {text[:300]}")
        codes = [e.get("extensions", {}).get("code") for e in answer.get("errors", [])]
        if "INTERNAL" in codes:
            fail(f"{command!r} reported an internal error: {text[:300]}")
        return
    fail(f"{command!r} printed no GraphQL answer: {output[:300]}")


def run(script, env, work):
    print(f"$ {script.strip()}")
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    print(output.rstrip()[:1500])
    if result.returncode != 0:
        fail(f"exit {result.returncode}: {script.strip()}")
    if "curl " in script:
        check_graphql(script.strip(), result.stdout)
    return result.stdout


def main():
    if not os.access(VIGO, os.X_OK):
        fail(f"no vigo binary at {VIGO}; build it (cargo build -p vigo-api) or set VIGO")
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        found = blocks(f.read())
    if not found or found[0].strip() != "vigo demo":
        fail("the README's first first-hour block is not `vigo demo`")
    work = tempfile.mkdtemp(prefix="vigo-first-hour-")
    bin_dir = os.path.join(work, ".bin")
    os.mkdir(bin_dir)
    os.symlink(VIGO, os.path.join(bin_dir, "vigo"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGO_")}
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    print(f"$ vigo demo   # in {work}")
    demo = subprocess.Popen(
        ["vigo", "demo"], cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    printed = []
    try:
        started = time.monotonic()
        for line in demo.stdout:
            printed.append(line)
            if line.startswith("Who may see what"):
                break
            if time.monotonic() - started > 300:
                fail("the demo did not finish printing within 5 minutes")
        else:
            fail("the demo stopped: " + demo.stderr.read())
        text = "".join(printed)
        print(text)
        if re.search(r"\b(INFO|DEBUG)\b", text):
            fail("the demo printed log lines on stdout")
        exports = dict(re.findall(r"^export (\w+)='([^']*)'", text, re.M))
        for name in ("CASEWORKER", "STUDENT", "OT", "SSB", "LANEKASSEN", "NATIONAL_ID"):
            if not exports.get(name):
                fail(f"the demo printed no `export {name}=` line")
        env.update(exports)
        for block in found[1:]:
            run(block, env, work)
        # The demo's own next steps, as printed.
        steps = text.split("Next steps", 1)[1]
        commands = re.findall(r"^((?:curl|vigo) (?:[^\n]*\\\n)*[^\n]*)$", steps, re.M)
        if len(commands) < 3:
            fail(f"the demo printed {len(commands)} commands to copy, expected curl and vigo lines")
        for command in commands:
            run(command, env, work)
        for name, first in (("status.csv", "national_id,"), ("ot.graphql", "")):
            with open(os.path.join(work, name), encoding="utf-8") as f:
                content = f.read()
            if not content or not content.startswith(first):
                fail(f"{name} is not what the README says: {content[:200]}")
        with open(os.path.join(work, "person.json"), encoding="utf-8") as f:
            person = json.load(f)
        if person.get("nationalId") != exports["NATIONAL_ID"]:
            fail("person.json is not the example person's export")
        leftovers = sorted(n for n in os.listdir(work) if n.endswith(".partial"))
        if leftovers:
            fail(f"staging files were left behind: {leftovers}")
        print(f"the README's first hour ran as written ({len(found)} blocks, {len(commands)} demo lines)")
    finally:
        demo.terminate()
        try:
            demo.wait(timeout=10)
        except subprocess.TimeoutExpired:
            demo.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
