# A local SMTP server for tests/integration/notifier_test.cc: Debian's
# python3-aiosmtpd (RFC 5321), keeping each message it receives in a Maildir
# (aiosmtpd's Mailbox handler adds X-MailFrom and X-RcptTo, the envelope).
# It listens on a free loopback port and logs it the way kyodo's programs do
# ({"msg":"serving","port":N} on stderr), for ChildProcess::WaitForLoggedPort.
#   /usr/bin/python3 smtp_server.py MAILDIR
import asyncio
import json
import sys

from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import SMTP


async def main(maildir):
    handler = Mailbox(maildir)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler), '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    print(json.dumps({'msg': 'serving', 'port': port}, separators=(',', ':')),
          file=sys.stderr, flush=True)
    await server.serve_forever()


asyncio.run(main(sys.argv[1]))
