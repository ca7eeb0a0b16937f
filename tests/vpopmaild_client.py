#!/usr/bin/env python3
"""vpopmaild_client.py - drive vpopmaild over TCP for tests/t_vpopmaild.sh.

  session PORT FILE        send FILE's bytes, read until the server closes,
                           write what was received to stdout (exact bytes)
  drop PORT FILE           send FILE's bytes and hang up without reading
  idle PORT SECONDS        read the greeting, wait, read the rest
  load PORT N DOMAIN PASS  N concurrent postmaster sessions, each adding,
                           changing and reading its own user and file, the
                           first 15 also setting one flag each of the account
                           "shared"; prints
                           "ok N" or the first unexpected exchange
"""
import socket
import sys
import threading
import time

TIMEOUT = 60


def connect(port):
    s = socket.create_connection(('127.0.0.1', int(port)), timeout=TIMEOUT)
    return s


def read_all(s):
    out = b''
    while True:
        try:
            b = s.recv(65536)
        except ConnectionResetError:
            break
        if not b:
            break
        out += b
    return out


class Conv:
    """Line-by-line exchange on one connection."""

    def __init__(self, port):
        self.s = connect(port)
        self.buf = b''

    def line(self):
        while b'\r\n' not in self.buf:
            b = self.s.recv(65536)
            if not b:
                raise EOFError('server closed')
            self.buf += b
        l, self.buf = self.buf.split(b'\r\n', 1)
        return l.decode('latin-1')

    def send(self, text):
        self.s.sendall(text.encode('latin-1'))

    def block(self):
        """Lines up to the '.' terminator (after +OK+)."""
        lines = []
        while True:
            l = self.line()
            if l == '.':
                return lines
            lines.append(l)


# Flags a domain admin with V_OVERRIDE may set: one per session on a shared account.
SHARED_FLAGS = ['no_password_change', 'no_pop', 'no_webmail', 'no_imap', 'bounce_mail',
                'no_relay', 'no_dialup', 'user_flag_0', 'user_flag_1', 'user_flag_2',
                'user_flag_3', 'no_smtp', 'no_spamassassin', 'delete_spam', 'no_maildrop']


def load_one(port, i, domain, password, errors):
    user = 'load%02d' % i
    try:
        c = Conv(port)
        expect = [('', '+OK ')]
        if c.line() != '+OK ':
            raise ValueError('no greeting')
        c.send('slogin postmaster@%s %s\r\n' % (domain, password))
        if c.line() != '+OK ':
            raise ValueError('login failed')
        c.send('add_user %s@%s pw %d x\r\n' % (user, domain, i))
        r = c.line()
        if r != '+OK ':
            raise ValueError('add_user: ' + r)
        c.send('mod_user %s@%s\r\ncomment load user %d\r\nuser_flag_2 1\r\n.\r\n' % (user, domain, i))
        r1, r2 = c.line(), c.line()
        if (r1, r2) != ('+OK ', '+OK '):
            raise ValueError('mod_user: %s %s' % (r1, r2))
        if i < len(SHARED_FLAGS):
            c.send('mod_user shared@%s\r\n%s 1\r\n.\r\n' % (domain, SHARED_FLAGS[i]))
            r1, r2 = c.line(), c.line()
            if (r1, r2) != ('+OK ', '+OK '):
                raise ValueError('mod_user shared: %s %s' % (r1, r2))
        c.send('user_info %s@%s\r\n' % (user, domain))
        if c.line() != '+OK+':
            raise ValueError('user_info')
        info = c.block()
        if 'comment load user %d' % i not in info or 'gidflags 512' not in info:
            raise ValueError('user_info shows %r' % info)
        c.send('user_count %s\r\n' % domain)
        if c.line() != '+OK+' or not c.block()[0].startswith('count '):
            raise ValueError('user_count')
        data = 'file of %s\r\n.x\r\n' % user
        c.send('write_file %s/%s.txt\r\n%s.\r\n' % (domain, user, data))
        r = c.line()
        if r != '+OK ':
            raise ValueError('write_file: ' + r)
        c.send('read_file %s/%s.txt\r\n' % (domain, user))
        if c.line() != '+OK+':
            raise ValueError('read_file')
        got = c.block()
        if got != ['file of %s' % user, '.x']:
            raise ValueError('read_file gave %r' % got)
        c.send('list_users %s\r\n' % domain)
        if c.line() != '+OK+':
            raise ValueError('list_users')
        c.block()
        c.send('quit\r\n')
        if c.line() != '+OK ':
            raise ValueError('quit')
    except Exception as e:  # noqa: BLE001 - reported to the test
        errors.append('%s: %s' % (user, e))


def main():
    cmd, a = sys.argv[1], sys.argv[2:]
    out = sys.stdout.buffer
    if cmd == 'session':
        s = connect(a[0])
        s.sendall(open(a[1], 'rb').read())
        out.write(read_all(s))
    elif cmd == 'drop':
        s = connect(a[0])
        s.sendall(open(a[1], 'rb').read())
        time.sleep(0.2)
        s.close()
    elif cmd == 'idle':
        s = connect(a[0])
        time.sleep(float(a[1]))
        out.write(read_all(s))
    elif cmd == 'load':
        n = int(a[1])
        errors = []
        threads = [threading.Thread(target=load_one, args=(a[0], i, a[2], a[3], errors))
                   for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            out.write(('%d failed, first: %s\n' % (len(errors), errors[0])).encode())
        else:
            out.write(('ok %d\n' % n).encode())
    else:
        sys.exit('unknown mode ' + cmd)


main()
