#!/usr/bin/env python3
"""vpopmaild_slow.py - feed vpopmaild on a pipe at a chosen pace.

  vpopmaild_slow.py STEPS COMMAND...

COMMAND (vpopmaild and its options, perhaps behind a wrapper such as
valgrind) is started with pipes as stdin and stdout.  Its output is read
only by the steps that say so, so it can be left unread for a while.
STEPS is a JSON list, run in order:
  ["greet"]             wait for the first reply line; the clock starts
  ["send", TEXT]        write TEXT at once
  ["reply"]             read up to one more reply line
  ["sleep", S]          wait S seconds, reading nothing
  ["dribble", S, TEXT]  write TEXT one byte every S seconds, reading what
                        comes; stops early when the daemon has ended
  ["end"]               read until the daemon ends
Then stdin is closed and the rest read (20 s at most).  What the daemon
wrote goes to stdout (exact bytes); stderr gets "rc N" and "seconds S",
the time from the greeting until the daemon closed its output, in tenths.
"""
import json
import os
import select
import subprocess
import sys
import time


class Daemon:
    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.fd = self.proc.stdout.fileno()
        self.out = bytearray()
        self.ended = None       # when its output closed

    def pump(self, until, want_lines=None):
        """Read until the time `until`, the output's end, or want_lines lines."""
        while self.ended is None:
            if want_lines is not None and self.out.count(b'\n') >= want_lines:
                return
            left = until - time.monotonic()
            if left <= 0:
                return
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                return
            b = os.read(self.fd, 65536)
            if not b:
                self.ended = time.monotonic()
            self.out.extend(b)

    def write(self, data):
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
            return True
        except (BrokenPipeError, OSError):
            return False


def main():
    steps = json.loads(sys.argv[1])
    d = Daemon(sys.argv[2:])
    start = time.monotonic()
    lines = 0
    for step in steps:
        kind = step[0]
        if kind in ('greet', 'reply'):
            lines += 1
            d.pump(time.monotonic() + 30, lines)
            if kind == 'greet':
                start = time.monotonic()
        elif kind == 'send':
            d.write(step[1].encode('latin-1'))
        elif kind == 'sleep':
            time.sleep(step[1])
        elif kind == 'dribble':
            for ch in step[2].encode('latin-1'):
                if d.ended is not None or not d.write(bytes([ch])):
                    break
                d.pump(time.monotonic() + step[1])
        elif kind == 'end':
            d.pump(time.monotonic() + 30)
    try:
        d.proc.stdin.close()
    except OSError:
        pass
    d.pump(time.monotonic() + 20)
    try:
        rc = d.proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        d.proc.kill()
        rc = d.proc.wait()
    end = d.ended if d.ended is not None else time.monotonic()
    sys.stdout.buffer.write(bytes(d.out))
    sys.stderr.write('rc %d\nseconds %.1f\n' % (rc, end - start))


if __name__ == '__main__':
    main()
