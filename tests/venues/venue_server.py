#!/usr/bin/python3
"""venue_server: a scripted WebSocket + HTTP venue on loopback, for testing
venue plugins without the exchange (python3-websockets 10.4, asyncio).

Run it with /usr/bin/python3 (the Debian python3 that has websockets).

As a library (a venue test writes a small driver next to its test):

    import sys; sys.path.insert (0, 'tests/venues')
    from venue_server import VenueServer, hmac_hex

    def rest (req):                         # every HTTP request lands here
        if req.path == '/api/v3/depth':
            return 200, {'lastUpdateId': 100, 'bids': [], 'asks': []}
        return 404, {'code': -1, 'msg': 'no such endpoint'}

    sessions = [                            # one list of steps per WS connection, in order
        [{'send': {'e': 'depthUpdate', 'U': 101, 'u': 101}},
         {'wait_http': '/api/v3/depth'},    # until the plugin fetched its snapshot
         {'send_raw': '{not json'},
         {'drop': True}],                   # TCP reset in the middle of a burst
        [{'send': {...}}, {'hold': True}],  # second connection (the reconnect)
    ]
    VenueServer (sessions, rest).main ()    # parses the command line below

Command line (library drivers and the JSON form alike):

    venue_server.py [--script FILE.json] [--port-file FILE] [--log FILE]
                    [--timeout S] [--ws-port N] [--http-port N]
                    [--tls-cert CERT.pem --tls-key KEY.pem]

  --script    JSON {"ws": [[steps..], ..], "http": {"GET /path": {"status": 200,
              "body": {...}}, ..}} for venues that need no code (static REST).
  --port-file written atomically once both servers listen:
              "ws_port N\nhttp_port M\n". The same is printed on stdout as one
              JSON line {"ws_port": N, "http_port": M}. Ports are ephemeral
              (0 = let the kernel choose) unless --ws-port/--http-port.
  --log       JSON lines of what happened: ws_connect (n, path), ws_recv
              (n, text), ws_sent (n, count), ws_closed (n), http (method, path,
              query, status), session_done (n), script_done; drivers add
              their own with server.log (...). Request bodies and headers are
              not logged (they may hold keys); drivers log what they verified.
  --timeout   exit after S seconds (default 60), so a broken test cannot hang.
  --tls-cert, --tls-key
              serve both over TLS (wss://, https://) with this certificate
              chain and key (PEM). Tests make a throw-away self-signed pair
              at run time (openssl req -x509 -newkey ec ...) in their temp
              dir; no key is ever committed. A client that refuses the
              certificate shows as a failed handshake, logged as tls_error.
  SIGTERM / SIGINT end it cleanly (exit 0).

Steps of a WebSocket session (a dict each, run in order):

    {"send": obj}               json.dumps (obj) as one text message
    {"send_raw": "text"}        the text as is (malformed JSON, odd frames)
    {"send_fragments": [..]}    one text message sent as one frame per string
    {"sleep": s}
    {"recv": n, "timeout": s}   wait until n more client messages arrived
                                (subscriptions), default timeout 10 s
    {"wait_http": "/path", "count": n, "timeout": s}
                                wait until n requests (in total, default 1)
                                on /path have been answered
    {"wait_log": "event", "count": n}
                                wait until the driver logged event n times
    {"call": fn}                (library only) await fn (server, ws) or call it
    {"drop": true}              abort the TCP connection (no close frame)
    {"close": code}             close with a close frame
    {"hold": true}              keep the connection until the client leaves
A session that runs out of steps holds the connection. Connections beyond
the scripted sessions get an empty session (held open) and are logged.

HTTP: HTTP/1.1 with keep-alive and Content-Length bodies (enough for libcurl).
The handler gets a Request (method, path, query: raw query string, params:
list of (key, value) in order, headers: dict with lowercase names, body: str)
and returns (status, body) or (status, body, headers); a body that is not a
str or bytes is sent as JSON. Signature helpers: hmac_hex, hmac_b64.
Driver helpers: take_arg (an option of the driver's own), read_secret,
write_json (the expected books), Book (a two-sided book to compute them).
"""

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import signal
import ssl
import sys
import urllib.parse

import websockets


def hmac_hex (secret, payload):
    """HMAC-SHA256 of payload under secret (str or bytes), lowercase hex."""
    if isinstance (secret, str):
        secret = secret.encode ()
    if isinstance (payload, str):
        payload = payload.encode ()
    return hmac.new (secret, payload, hashlib.sha256).hexdigest ()


def hmac_b64 (secret, payload):
    """HMAC-SHA256 of payload under secret, standard base64."""
    if isinstance (secret, str):
        secret = secret.encode ()
    if isinstance (payload, str):
        payload = payload.encode ()
    return base64.b64encode (hmac.new (secret, payload, hashlib.sha256).digest ()).decode ()


def take_arg (args, flag, default=None):
    """Removes FLAG VALUE from the list args and returns VALUE; default when
    FLAG is not there. Drivers take their own options this way and hand the
    rest to VenueServer.main."""
    if flag not in args:
        return default
    i = args.index (flag)
    value = args [i + 1]
    del args [i:i + 2]
    return value


def read_secret (path):
    """The first line of a key, secret or passphrase file, without blanks."""
    with open (path) as f:
        return f.read ().strip ()


def write_json (path, obj):
    """Writes obj to path as JSON, atomically (a reader never sees half)."""
    with open (path + '.tmp', 'w') as f:
        json.dump (obj, f)
    os.rename (path + '.tmp', path)


class Book:
    """A price -> size book with two named sides, for drivers that compute
    the book a correct plugin must end with from the messages they send.
    Prices and sizes may be given as text (venues send decimal strings)."""

    def __init__ (self, bid='bids', ask='asks'):
        self.bid, self.ask = bid, ask
        self.side = {bid: {}, ask: {}}

    def set (self, side, px, qty):
        """Sets a level; a size of 0 removes it."""
        if float (qty) == 0:
            self.side [side].pop (float (px), None)
        else:
            self.side [side] [float (px)] = float (qty)

    def top (self, px_scale=1.0, qty_scale=1.0, n=10):
        """The best n levels of each side as {'bids': [[px, qty]..], 'asks': ..},
        prices times px_scale and sizes times qty_scale (bus units)."""
        bids = sorted (self.side [self.bid].items (), reverse=True) [:n]
        asks = sorted (self.side [self.ask].items ()) [:n]
        return {'bids': [[p * px_scale, q * qty_scale] for p, q in bids],
                'asks': [[p * px_scale, q * qty_scale] for p, q in asks]}


class Request:
    def __init__ (self, method, target, headers, body):
        self.method = method
        split = urllib.parse.urlsplit (target)
        self.path = split.path
        self.query = split.query
        self.params = urllib.parse.parse_qsl (split.query, keep_blank_values=True)
        self.headers = headers
        self.body = body

    def param (self, key, default=None):
        for k, v in self.params:
            if k == key:
                return v
        return default


class VenueServer:
    def __init__ (self, sessions=None, http=None):
        self.sessions = sessions or []
        self.http = http
        self.static = {}
        self.conn_count = 0
        self.http_counts = {}
        self.log_counts = {}
        self.logfile = None
        self.changed = None             # asyncio.Condition, made in the loop
        self.done = 0
        self.stop = None

    # -- bookkeeping --------------------------------------------------------
    def log (self, event, **fields):
        fields = dict (event=event, **fields)
        if self.logfile:
            self.logfile.write (json.dumps (fields) + '\n')
            self.logfile.flush ()
        self.log_counts [event] = self.log_counts.get (event, 0) + 1
        self._notify ()

    def _notify (self):
        if self.changed is None:
            return
        async def poke ():
            async with self.changed:
                self.changed.notify_all ()
        asyncio.get_running_loop ().create_task (poke ())

    async def _wait_for (self, predicate, timeout, what):
        async def waiter ():
            async with self.changed:
                await self.changed.wait_for (predicate)
        try:
            await asyncio.wait_for (waiter (), timeout)
        except asyncio.TimeoutError:
            self.log ('timeout', what=what)
            raise

    # -- WebSocket ----------------------------------------------------------
    async def _ws (self, ws, path):
        n = self.conn_count
        self.conn_count += 1
        self.log ('ws_connect', n=n, path=path)
        inbox = asyncio.Queue ()
        received = [0]

        async def reader ():
            try:
                async for text in ws:
                    received [0] += 1
                    self.log ('ws_recv', n=n, text=text if isinstance (text, str) else repr (text))
                    await inbox.put (text)
            except websockets.ConnectionClosed:
                pass
            self._notify ()

        rtask = asyncio.get_running_loop ().create_task (reader ())
        steps = self.sessions [n] if n < len (self.sessions) else []
        sent = 0
        consumed = 0
        try:
            for step in steps:
                if 'send' in step:
                    await ws.send (json.dumps (step ['send'], separators=(',', ':')))
                    sent += 1
                elif 'send_raw' in step:
                    await ws.send (step ['send_raw'])
                    sent += 1
                elif 'send_fragments' in step:
                    await ws.send (list (step ['send_fragments']))
                    sent += 1
                elif 'sleep' in step:
                    await asyncio.sleep (step ['sleep'])
                elif 'recv' in step:
                    want = consumed + step ['recv']
                    await self._wait_for (lambda: received [0] >= want or rtask.done (),
                                          step.get ('timeout', 10), 'recv')
                    consumed = want
                elif 'wait_http' in step:
                    path_, count = step ['wait_http'], step.get ('count', 1)
                    await self._wait_for (lambda: self.http_counts.get (path_, 0) >= count,
                                          step.get ('timeout', 10), 'wait_http ' + path_)
                elif 'wait_log' in step:
                    ev, count = step ['wait_log'], step.get ('count', 1)
                    await self._wait_for (lambda: self.log_counts.get (ev, 0) >= count,
                                          step.get ('timeout', 10), 'wait_log ' + ev)
                elif 'call' in step:
                    result = step ['call'] (self, ws)
                    if asyncio.iscoroutine (result):
                        await result
                elif 'drop' in step:
                    self.log ('ws_sent', n=n, count=sent)
                    self.log ('ws_drop', n=n)
                    ws.transport.abort ()
                    break
                elif 'close' in step:
                    self.log ('ws_sent', n=n, count=sent)
                    await ws.close (code=step ['close'])
                    break
                elif 'hold' in step:
                    break
            else:
                pass
            if not ws.transport.is_closing ():
                self.log ('ws_sent', n=n, count=sent)
            self.log ('session_done', n=n)
            self.done += 1
            if self.done == len (self.sessions):
                self.log ('script_done')
            await rtask
        except (websockets.ConnectionClosed, asyncio.TimeoutError, ConnectionError) as e:
            self.log ('ws_error', n=n, error=type (e).__name__)
        finally:
            rtask.cancel ()
            self.log ('ws_closed', n=n)

    # -- HTTP ---------------------------------------------------------------
    async def _http (self, reader, writer):
        try:
            while True:
                line = await reader.readline ()
                if not line:
                    break
                parts = line.decode ('latin-1').strip ().split (' ')
                if len (parts) != 3:
                    break
                method, target, _ = parts
                headers = {}
                while True:
                    h = await reader.readline ()
                    if h in (b'\r\n', b'\n', b''):
                        break
                    k, _, v = h.decode ('latin-1').partition (':')
                    headers [k.strip ().lower ()] = v.strip ()
                length = int (headers.get ('content-length', '0') or 0)
                body = (await reader.readexactly (length)).decode () if length else ''
                req = Request (method, target, headers, body)
                status, payload, extra = self._answer (req)
                if not isinstance (payload, (str, bytes)):
                    payload = json.dumps (payload)
                if isinstance (payload, str):
                    payload = payload.encode ()
                head = 'HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n' % (
                    status, len (payload))
                for k, v in (extra or {}).items ():
                    head += '%s: %s\r\n' % (k, v)
                writer.write (head.encode () + b'\r\n' + payload)
                await writer.drain ()
                self.http_counts [req.path] = self.http_counts.get (req.path, 0) + 1
                self.log ('http', method=method, path=req.path, status=status)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close ()

    def _answer (self, req):
        key = req.method + ' ' + req.path
        if key in self.static:
            entry = self.static [key]
            return entry.get ('status', 200), entry.get ('body', ''), entry.get ('headers')
        if self.http:
            try:
                result = self.http (req)
            except Exception as e:          # a driver bug must show, not hang the test
                self.log ('http_handler_error', error=repr (e))
                return 500, {'error': repr (e)}, None
            if len (result) == 2:
                return result [0], result [1], None
            return result
        return 404, {'error': 'no handler'}, None

    # -- main ---------------------------------------------------------------
    async def _run (self, args):
        self.changed = asyncio.Condition ()
        self.stop = asyncio.get_running_loop ().create_future ()
        loop = asyncio.get_running_loop ()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler (sig, lambda: self.stop.done () or self.stop.set_result (0))
        tls = self._tls_context (args)
        ws_server = await websockets.serve (self._ws, '127.0.0.1', args.ws_port,
                                            max_size=None, ping_interval=None, ssl=tls)
        http_server = await asyncio.start_server (self._http, '127.0.0.1', args.http_port, ssl=tls)
        ws_port = ws_server.sockets [0].getsockname () [1]
        http_port = http_server.sockets [0].getsockname () [1]
        if args.port_file:
            tmp = args.port_file + '.tmp'
            with open (tmp, 'w') as f:
                f.write ('ws_port %d\nhttp_port %d\n' % (ws_port, http_port))
            os.rename (tmp, args.port_file)
        print (json.dumps ({'ws_port': ws_port, 'http_port': http_port}), flush=True)
        self.log ('listening', ws_port=ws_port, http_port=http_port)
        try:
            await asyncio.wait_for (self.stop, args.timeout)
        except asyncio.TimeoutError:
            self.log ('timeout', what='whole run')
        ws_server.close ()
        http_server.close ()

    def _tls_context (self, args):
        """The server side TLS context for --tls-cert/--tls-key, else None."""
        if not args.tls_cert:
            return None
        ctx = ssl.SSLContext (ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain (args.tls_cert, args.tls_key)
        loop = asyncio.get_running_loop ()
        default = loop.get_exception_handler ()

        def on_error (loop_, context):
            # a client refusing our certificate ends its handshake: logged,
            # not a traceback on stderr
            if isinstance (context.get ('exception'), (ssl.SSLError, ConnectionError)):
                self.log ('tls_error', error=str (context ['exception']) [:160])
            elif default:
                default (loop_, context)
            else:
                loop_.default_exception_handler (context)
        loop.set_exception_handler (on_error)
        return ctx

    def main (self, argv=None):
        p = argparse.ArgumentParser (description='scripted venue for plugin tests')
        p.add_argument ('--script')
        p.add_argument ('--port-file')
        p.add_argument ('--log')
        p.add_argument ('--timeout', type=float, default=60)
        p.add_argument ('--ws-port', type=int, default=0)
        p.add_argument ('--http-port', type=int, default=0)
        p.add_argument ('--tls-cert')
        p.add_argument ('--tls-key')
        args = p.parse_args (argv)
        if bool (args.tls_cert) != bool (args.tls_key):
            p.error ('--tls-cert and --tls-key go together')
        if args.script:
            with open (args.script) as f:
                script = json.load (f)
            self.sessions = script.get ('ws', self.sessions)
            self.static = script.get ('http', {})
        if args.log:
            self.logfile = open (args.log, 'w')
        asyncio.run (self._run (args))
        return 0


if __name__ == '__main__':
    sys.exit (VenueServer ().main ())
