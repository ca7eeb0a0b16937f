#!/usr/bin/env python3
"""vpopmaild_slow.py - feed vpopmaild on a pipe at a chosen pace.

  vpopmaild_slow.py STEPS COMMAND...

COMMAND (vpopmaild and its options, perhaps behind a wrapper such as
valgrind) is started with pipes as stdin and stdout.  STEPS is a JSON list,
run in order:
  ["greet"]             wait for the first reply line; the clock starts
  ["send", TEXT]        write TEXT at once
  ["reply"]             wait for one more reply line
  ["sleep", S]          wait S seconds
  ["dribble", S, TEXT]  write TEXT one byte every S seconds; stops early
                        when the daemon has ended
Then stdin is closed and the daemon waited for (20 s at most).  What the
daemon wrote goes to stdout (exact bytes); stderr gets "rc N" and
"seconds S", the time from the greeting until the daemon closed its
output, in tenths.
"""
import json
import subprocess
import sys
import threading
import time


def main():
    steps = json.loads(sys.argv[1])
    proc = subprocess.Popen(sys.argv[2:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    out = bytearray()
    cond = threading.Condition()
    ended = []

    def reader():
        while True:
            b = proc.stdout.read1(65536)
            with cond:
                if not b:
                    ended.append(time.monotonic())   # the daemon closed its output
                    cond.notify_all()
                    return
                out.extend(b)
                cond.notify_all()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    start = time.monotonic()
    lines_seen = 0

    def wait_lines(n):
        with cond:
            cond.wait_for(lambda: out.count(b'\n') >= n or not t.is_alive(), timeout=30)

    def write(data):
        try:
            proc.stdin.write(data)
            proc.stdin.flush()
            return True
        except (BrokenPipeError, OSError):
            return False

    for step in steps:
        kind = step[0]
        if kind == 'greet':
            lines_seen = 1
            wait_lines(lines_seen)
            start = time.monotonic()
        elif kind == 'reply':
            lines_seen += 1
            wait_lines(lines_seen)
        elif kind == 'send':
            write(step[1].encode('latin-1'))
        elif kind == 'sleep':
            time.sleep(step[1])
        elif kind == 'dribble':
            for ch in step[2].encode('latin-1'):
                if proc.poll() is not None or not write(bytes([ch])):
                    break
                time.sleep(step[1])
    try:
        proc.stdin.close()
    except OSError:
        pass
    try:
        rc = proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    t.join(timeout=5)
    end = ended[0] if ended else time.monotonic()
    sys.stdout.buffer.write(bytes(out))
    sys.stderr.write('rc %d\nseconds %.1f\n' % (rc, end - start))


if __name__ == '__main__':
    main()
