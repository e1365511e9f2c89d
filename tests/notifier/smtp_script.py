# A scripted SMTP server for tests/notifier/transport_test.cc: it answers
# one way per mode, to show how the notifier reads each kind of failure
# (notifier/transport.h). Serves connections one after another on a free
# loopback port, logged as kyodo's programs log theirs
# ({"msg":"serving","port":N} on stderr).
#   /usr/bin/python3 smtp_script.py MODE
# MODE: accept | greeting-421 | mail-553 | rcpt-550 | data-554 |
#       close-after-data
import json
import socket
import sys

mode = sys.argv[1]


def serve(conn):
    f = conn.makefile('rwb')

    def say(line):
        f.write(line.encode() + b'\r\n')
        f.flush()

    if mode == 'greeting-421':
        say('421 too busy, try later')
        return
    say('220 kyodo-test ESMTP')
    while True:
        line = f.readline()
        if not line:
            return
        verb = line.decode(errors='replace').strip().split(' ')[0].upper()
        if verb in ('EHLO', 'HELO'):
            say('250 kyodo-test')
        elif verb == 'MAIL':
            say('553 sender not allowed' if mode == 'mail-553' else '250 ok')
        elif verb == 'RCPT':
            say('550 no such user' if mode == 'rcpt-550' else '250 ok')
        elif verb == 'DATA':
            say('354 go ahead')
            while True:
                body = f.readline()
                if not body or body == b'.\r\n':
                    break
            if mode == 'close-after-data':
                return  # the message was taken in, no answer ever comes
            say('554 rejected as spam' if mode == 'data-554' else '250 queued')
        elif verb == 'QUIT':
            say('221 bye')
            return
        else:
            say('250 ok')


server = socket.socket()
server.bind(('127.0.0.1', 0))
server.listen(8)
print(json.dumps({'msg': 'serving', 'port': server.getsockname()[1]},
                 separators=(',', ':')), file=sys.stderr, flush=True)
while True:
    conn, _ = server.accept()
    try:
        serve(conn)
    finally:
        conn.close()
