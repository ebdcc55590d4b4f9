#!/usr/bin/python3
"""okx_driver: a scripted OKX v5 venue for tests/it_venue_okx.sh, on
venue_server.py. Two roles, one process each (venue_server numbers
connections in arrival order, and the plugin opens its public and private
connections at the same time):

  --role public   books / tickers / trades. Connection 0: snapshots,
                  updates, malformed JSON, an unknown event and channel, a
                  prevSeqId gap on BTC-USDT (then it waits for the books
                  resubscribe and holds the book stale for 2.5 s), a
                  checksum mismatch on BTC-USDT-SWAP (the same), new
                  snapshots, and a burst cut by a TCP reset. Connection 1:
                  snapshots and updates that make the final books, trades
                  and a ticker. Every books message carries the CRC32 the
                  driver computes from its own copy of the book, and the
                  final books are written to --expected.
  --role private  the private WebSocket (login verified: sign = base64
                  HMAC-SHA256 of timestamp + "GET/users/self/verify") and
                  REST: POST /api/v5/trade/order verifies OK-ACCESS-KEY,
                  -PASSPHRASE, -TIMESTAMP (ISO 8601, within 30 s) and
                  OK-ACCESS-SIGN = base64 HMAC of timestamp + method + path +
                  body (logged sig_ok / sig_bad). A clOrdId whose order has
                  side "sell" is refused with sCode 51008; a buy is accepted
                  and then filled on the orders channel.
"""
import datetime
import json
import random
import sys
import time
import zlib

sys.path.insert (0, __import__ ('os').path.dirname (__file__))
from venue_server import VenueServer, hmac_b64, read_secret, take_arg, write_json   # noqa: E402

INSTS = {'BTC-USDT': (65000.0, 1.0), 'BTC-USDT-SWAP': (65010.0, 10.0)}  # mid, venue->bus qty


class Book:
    def __init__ (self):
        self.side = {'bids': {}, 'asks': {}}     # float px -> (px text, size text)

    def set (self, side, px, sz):
        if float (sz) == 0:
            self.side [side].pop (float (px), None)
        else:
            self.side [side] [float (px)] = (px, sz)

    def sorted (self, side):
        return sorted (self.side [side].items (), reverse=(side == 'bids'))

    def checksum (self):
        bids, asks, parts = self.sorted ('bids') [:25], self.sorted ('asks') [:25], []
        for i in range (25):
            if i < len (bids):
                parts += list (bids [i] [1])
            if i < len (asks):
                parts += list (asks [i] [1])
        crc = zlib.crc32 (':'.join (parts).encode ())
        return crc - (1 << 32) if crc >= (1 << 31) else crc

    def top (self, scale):
        return {s: [[p, float (v [1]) * scale] for p, v in self.sorted (s) [:10]] for s in ('bids', 'asks')}


class Script:
    def __init__ (self, seed):
        self.rng = random.Random (seed)
        self.books = {i: Book () for i in INSTS}
        self.seq = {i: 0 for i in INSTS}

    def books_msg (self, inst, action, bids, asks, prev=None, checksum=None):
        seq = self.seq [inst] + self.rng.randint (1, 3)
        if prev is None:
            prev = -1 if action == 'snapshot' else self.seq [inst]
        self.seq [inst] = seq
        return {'send': {'arg': {'channel': 'books', 'instId': inst}, 'action': action,
                         'data': [{'asks': asks, 'bids': bids, 'ts': '1714557600123',
                                   'checksum': self.books [inst].checksum () if checksum is None else checksum,
                                   'prevSeqId': prev, 'seqId': seq}]}}

    def level (self, inst, side, px, sz):
        self.books [inst].set (side, px, sz)
        return [px, sz, '0', str (self.rng.randint (1, 9))]

    def snapshot (self, inst):
        mid = INSTS [inst] [0]
        self.books [inst] = Book ()
        bids = [self.level (inst, 'bids', '%.1f' % (mid - 0.1 * (i + 1)), self.size ()) for i in range (60)]
        asks = [self.level (inst, 'asks', '%.1f' % (mid + 0.1 * (i + 1)), self.size ()) for i in range (60)]
        return self.books_msg (inst, 'snapshot', bids, asks)

    def size (self):
        # trailing zeros on purpose: the checksum is over the texts as sent
        return self.rng.choice (['%d' % self.rng.randint (1, 500), '%.3f' % (self.rng.randint (1, 900) / 100),
                                 '%.2f0' % (self.rng.randint (1, 90) / 10)])

    def update (self, inst, prev=None, checksum=None, apply=True):
        mid = INSTS [inst] [0]
        bids, asks = [], []
        saved = {s: dict (v) for s, v in self.books [inst].side.items ()}
        for _ in range (self.rng.randint (1, 5)):
            side = self.rng.choice (('bids', 'asks'))
            off = 0.1 * self.rng.randint (1, 70)
            px = '%.1f' % (mid - off if side == 'bids' else mid + off)
            sz = '0' if self.rng.random () < 0.3 else self.size ()
            (bids if side == 'bids' else asks).append (self.level (inst, side, px, sz))
        msg = self.books_msg (inst, 'update', bids, asks, prev, checksum)
        if not apply:
            self.books [inst].side = saved
        return msg

    def updates (self, n):
        return [self.update (self.rng.choice (list (INSTS))) for _ in range (n)]


def build_public (seed=5):
    s = Script (seed)
    s0 = [{'recv': 3}, {'sleep': 2}] + [{'send': {'event': 'subscribe', 'arg': {'channel': 'books', 'instId': i}}}
                                         for i in INSTS]
    s0 += [s.snapshot (i) for i in INSTS] + s.updates (20)
    s0 += [{'send_raw': '{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{'},
           {'send': {'event': 'mystery'}},
           {'send': {'arg': {'channel': 'funding-rate', 'instId': 'BTC-USDT'}, 'data': []}},
           {'send_raw': 'pong'}]
    s0 += [s.update ('BTC-USDT', prev=s.seq ['BTC-USDT'] + 7, apply=False),     # gap
           {'recv': 2}, {'sleep': 2.5}, s.snapshot ('BTC-USDT')]
    s0 += [s.update ('BTC-USDT-SWAP', checksum=123456789, apply=False),        # bad checksum
           {'recv': 2}, s.snapshot ('BTC-USDT-SWAP')]
    s0 += s.updates (10) + s.updates (30) + [{'drop': True}]
    s1 = [{'recv': 3}] + [s.snapshot (i) for i in INSTS] + s.updates (40)
    s1.append ({'send': {'arg': {'channel': 'trades', 'instId': 'BTC-USDT-SWAP'}, 'data': [
        {'instId': 'BTC-USDT-SWAP', 'tradeId': '130639474', 'px': '65011.5', 'sz': '3', 'side': 'sell',
         'ts': '1714557600500', 'count': '1'}]}})
    s1.append ({'send': {'arg': {'channel': 'tickers', 'instId': 'BTC-USDT'}, 'data': [
        {'instType': 'SPOT', 'instId': 'BTC-USDT', 'last': '1', 'lastSz': '1', 'askPx': '2', 'askSz': '1',
         'bidPx': '1', 'bidSz': '1', 'ts': '1714557600600'}]}})
    s1.append ({'hold': True})
    expected = {i: s.books [i].top (INSTS [i] [1]) for i in INSTS}
    return [s0, s1], expected


# public/instruments (discovery), per request, as OKX answers; and what the
# plugin must list from them in hb units (the private role serves REST)
EXP_MS = 1798185600000                  # 2026-12-25T08:00:00Z


def okx_instruments (query):
    def inst (iid, itype, **more):
        d = {'instId': iid, 'instType': itype, 'state': 'live', 'uly': '', 'instFamily': '',
             'baseCcy': '', 'quoteCcy': '', 'settleCcy': '', 'ctVal': '', 'ctMult': '', 'ctValCcy': '',
             'ctType': '', 'optType': '', 'stk': '', 'expTime': '', 'listTime': '1600000000000',
             'tickSz': '0.1', 'lotSz': '1', 'minSz': '1', 'lever': '', 'alias': ''}
        d.update (more)
        return d
    if query.get ('instType') == 'SPOT':
        return [inst ('BTC-USDT', 'SPOT', baseCcy='BTC', quoteCcy='USDT', lotSz='0.00000001', minSz='0.00001'),
                inst ('OLD-USDT', 'SPOT', baseCcy='OLD', quoteCcy='USDT', state='suspend')]
    if query.get ('instType') == 'SWAP':
        return [inst ('BTC-USDT-SWAP', 'SWAP', uly='BTC-USDT', instFamily='BTC-USDT', settleCcy='USDT',
                      ctVal='0.01', ctMult='1', ctValCcy='BTC', ctType='linear'),
                inst ('BTC-USD-SWAP', 'SWAP', uly='BTC-USD', instFamily='BTC-USD', settleCcy='BTC',
                      ctVal='100', ctMult='1', ctValCcy='USD', ctType='inverse')]
    if query.get ('instType') == 'FUTURES':
        return [inst ('BTC-USD-261225', 'FUTURES', uly='BTC-USD', instFamily='BTC-USD', settleCcy='BTC',
                      ctVal='100', ctMult='1', ctValCcy='USD', ctType='inverse', expTime=str (EXP_MS))]
    if query.get ('instType') == 'OPTION' and query.get ('instFamily') == 'BTC-USD':
        return [inst ('BTC-USD-261225-80000-C', 'OPTION', uly='BTC-USD', instFamily='BTC-USD', settleCcy='BTC',
                      ctVal='0.01', ctMult='1', ctValCcy='BTC', optType='C', stk='80000',
                      expTime=str (EXP_MS), tickSz='0.0005', lotSz='1', minSz='1')]
    return []


def okx_expected ():
    exp = EXP_MS * 1000000
    return [
        {'symbol': 'BTC-USDT', 'kind': 'spot', 'flags': [], 'multiplier': 1, 'lot_size': 1e-8,
         'min_qty': 1e-5, 'expiry_ns': 0, 'strike': 0, 'settle': 'USDT', 'asset': 'BTC'},
        {'symbol': 'BTC-USDT-SWAP', 'kind': 'linear_perp', 'flags': [], 'multiplier': 0.01, 'lot_size': 1,
         'min_qty': 1, 'expiry_ns': 0, 'strike': 0, 'settle': 'USDT', 'asset': 'BTC'},
        {'symbol': 'BTC-USD-SWAP', 'kind': 'inverse_perp', 'flags': ['inverse'], 'multiplier': 100,
         'lot_size': 1, 'min_qty': 1, 'expiry_ns': 0, 'strike': 0, 'settle': 'BTC', 'asset': 'BTC'},
        {'symbol': 'BTC-USD-261225', 'kind': 'future', 'flags': ['inverse'], 'multiplier': 100,
         'lot_size': 1, 'min_qty': 1, 'expiry_ns': exp, 'strike': 0, 'settle': 'BTC', 'asset': 'BTC'},
        {'symbol': 'BTC-USD-261225-80000-C', 'kind': 'option', 'flags': ['call'], 'multiplier': 0.01,
         'lot_size': 1, 'min_qty': 1, 'expiry_ns': exp, 'strike': 80000, 'settle': 'BTC', 'asset': 'BTC'},
    ]


def main ():
    args = sys.argv [1:]
    role = take_arg (args, '--role')
    if role == 'public':
        sessions, expected = build_public ()
        write_json (take_arg (args, '--expected'), expected)
        return VenueServer (sessions).main (args)

    key = read_secret (take_arg (args, '--key-file'))
    secret = read_secret (take_arg (args, '--secret-file'))
    passphrase = read_secret (take_arg (args, '--passphrase-file'))
    instruments_out = take_arg (args, '--instruments')
    if instruments_out:
        write_json (instruments_out, okx_expected ())
    state = {}

    class Private (VenueServer):
        def log (self, event, **fields):
            if event == 'ws_recv' and '"login"' in fields.get ('text', ''):
                arg = json.loads (fields ['text']) ['args'] [0]
                ts = arg.get ('timestamp', '0')
                ok = (arg.get ('apiKey') == key and arg.get ('passphrase') == passphrase
                      and abs (int (ts) - time.time ()) < 30
                      and arg.get ('sign') == hmac_b64 (secret, ts + 'GET/users/self/verify'))
                state ['login_ok'] = ok
                fields = {'n': fields.get ('n'), 'text': '(login, not logged)'}
                VenueServer.log (self, 'login_ok' if ok else 'login_bad')
            super ().log (event, **fields)

    def rest (req):
        if req.method == 'GET' and req.path == '/api/v5/public/instruments':
            query = {k: req.param (k) for k in ('instType', 'instFamily') if req.param (k) is not None}
            server.log ('instruments_asked', query=query)
            return 200, {'code': '0', 'msg': '', 'data': okx_instruments (query)}
        ts = req.headers.get ('ok-access-timestamp', '')
        try:
            when = datetime.datetime.strptime (ts, '%Y-%m-%dT%H:%M:%S.%fZ').replace (
                tzinfo=datetime.timezone.utc).timestamp ()
        except ValueError:
            when = 0
        ok = (req.headers.get ('ok-access-key') == key and req.headers.get ('ok-access-passphrase') == passphrase
              and abs (when - time.time ()) < 30
              and req.headers.get ('ok-access-sign') == hmac_b64 (secret, ts + req.method + req.path + req.body))
        server.log ('sig_ok' if ok else 'sig_bad', path=req.path)
        if not ok:
            return 401, {'code': '50113', 'msg': 'Invalid Sign', 'data': []}
        if req.path != '/api/v5/trade/order':
            return 404, {'code': '50000', 'msg': 'no such endpoint', 'data': []}
        body = json.loads (req.body)
        cl = body ['clOrdId']
        if body ['side'] == 'sell':
            server.log ('order_rejected', cl=cl)
            return 200, {'code': '1', 'msg': 'Operation failed.', 'data': [
                {'clOrdId': cl, 'ordId': '', 'tag': '', 'sCode': '51008',
                 'sMsg': 'Order failed. Insufficient USDT balance in account.'}]}
        oid = '3122698653563740%02d' % len (state)
        state ['order'] = (cl, oid, body)
        server.log ('order_ok', cl=cl, body=body)
        return 200, {'code': '0', 'msg': '', 'data': [{'clOrdId': cl, 'ordId': oid, 'tag': '',
                                                        'sCode': '0', 'sMsg': 'Order placed'}]}

    async def login_reply (srv, ws):
        ok = state.get ('login_ok')
        await ws.send (json.dumps ({'event': 'login', 'code': '0', 'msg': '', 'connId': 'c1'} if ok else
                                   {'event': 'error', 'code': '60009', 'msg': 'Login failed.', 'connId': 'c1'}))

    async def fill (srv, ws):
        cl, oid, body = state ['order']
        half = '%g' % (float (body ['sz']) / 2)
        for i, (state_, px, fee) in enumerate ((('partially_filled', '65010.5', '-0.1'),
                                                ('filled', '65011.5', '-0.2'))):
            await ws.send (json.dumps ({'arg': {'channel': 'orders', 'instType': 'ANY', 'uid': '1'}, 'data': [
                {'instId': body ['instId'], 'ordId': oid, 'clOrdId': cl, 'side': body ['side'],
                 'state': state_, 'fillSz': half, 'fillPx': px, 'tradeId': '99%d' % i, 'fillFee': fee,
                 'fillFeeCcy': 'USDT', 'execType': 'T', 'accFillSz': half if i == 0 else body ['sz'],
                 'fillTime': '1714557601000'}]}))
        srv.log ('fill_sent', cl=cl)

    sessions = [[{'recv': 1}, {'call': login_reply}, {'recv': 1},
                 {'send': {'event': 'subscribe', 'arg': {'channel': 'orders', 'instType': 'ANY'}}},
                 {'send_raw': '{"arg":{"channel":"orders"},"data":[{"ordId":"1"}]}'},
                 {'wait_log': 'order_ok', 'timeout': 60}, {'call': fill}, {'hold': True}]]
    server = Private (sessions, rest)
    return server.main (args)


if __name__ == '__main__':
    sys.exit (main ())
