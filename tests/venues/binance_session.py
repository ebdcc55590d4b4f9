#!/usr/bin/python3
"""The Binance venue played to feeds/binance/binance_plugin_test.c.

Messages are in Binance's documented formats (spot, combined streams):
depthUpdate diffs with U/u, bookTicker, trade, and REST GET /api/v3/depth,
POST/DELETE /api/v3/order. The session:

  connection 0: a diff before the snapshot (buffered, bridges snapshot 1),
      diffs, an old bookTicker, a trade, malformed JSON, an unknown event
      type, a diff for a symbol not configured, a subscription answer, then
      a diff with a sequence gap (-> snapshot 2, which the gapped diff
      bridges), a burst of diffs cut by a TCP abort in the middle;
  connection 1: the reconnect: snapshot 3, a bridging diff, a run of random
      diffs with a bookTicker among them, then held open.

Signed requests are verified here: X-MBX-APIKEY must be the key and the
signature the HMAC-SHA256 hex of the query before &signature under the
secret (Binance's rule); each check is logged (sig_ok / sig_bad), a bad one
answered -1022 as Binance does. Orders whose client id starts with "rej"
are refused (-2010, insufficient balance); others fill at once (FULL
answer, two fills). DELETE answers -2011 (unknown order).

The book the plugin must end with is computed here from the same messages
and written to --expected (JSON: top 10 bids and asks, [price, size]).
"""
import argparse
import random
import sys
import time
import os

sys.path.insert (0, os.path.dirname (os.path.abspath (__file__)))
from venue_server import VenueServer, hmac_hex, write_json          # noqa: E402

SYM = 'BTCUSDT'
STREAM = 'btcusdt'


def fmt (x):
    return '%.8f' % x


class Book:
    def __init__ (self, bids, asks):
        self.bids = dict (bids)
        self.asks = dict (asks)

    def apply (self, b, a):
        for side, levels in ((self.bids, b), (self.asks, a)):
            for p, q in levels:
                if q == 0:
                    side.pop (p, None)
                else:
                    side [p] = q

    def top (self, n=10):
        bids = sorted (self.bids.items (), key=lambda x: -x [0]) [:n]
        asks = sorted (self.asks.items ()) [:n]
        return [list (x) for x in bids], [list (x) for x in asks]


def depth (U, u, b=(), a=(), sym=SYM, stream=STREAM):
    return {'stream': stream + '@depth@100ms',
            'data': {'e': 'depthUpdate', 'E': int (time.time () * 1000), 's': sym,
                     'U': U, 'u': u,
                     'b': [[fmt (p), fmt (q)] for p, q in b],
                     'a': [[fmt (p), fmt (q)] for p, q in a]}}


def snapshot (lid, book):
    bids, asks = book.top (1000)
    return {'lastUpdateId': lid,
            'bids': [[fmt (p), fmt (q)] for p, q in bids],
            'asks': [[fmt (p), fmt (q)] for p, q in asks]}


def random_diff (rng, U, u):
    b = [(round (rng.uniform (95, 100) * 2) / 2, rng.choice ([0, 0.5, 1.25, 2])) for _ in range (3)]
    a = [(round (rng.uniform (100.5, 105) * 2) / 2, rng.choice ([0, 0.25, 1, 3])) for _ in range (3)]
    return depth (U, u, b, a), b, a


def build (rng):
    # Snapshot 1 and the diffs of connection 0
    snap1_book = Book ([(100.0, 1), (99.5, 2), (99.0, 3)], [(100.5, 1), (101.0, 2), (101.5, 3)])
    snaps = [snapshot (100, snap1_book)]
    book = Book (snap1_book.bids.items (), snap1_book.asks.items ())
    e1 = depth (101, 102, b=[(100.0, 1.5)])
    book.apply ([(100.0, 1.5)], [])
    e2 = depth (103, 105, b=[(99.5, 0)], a=[(100.5, 0.7)])
    book.apply ([(99.5, 0)], [(100.5, 0.7)])
    # The gap: U should be 106. Snapshot 2 is the book at 111, which the
    # gapped diff (110..112) bridges.
    e3_b = [(99.8, 4)]
    snap2_book = Book (book.bids.items (), book.asks.items ())
    snap2_book.apply ([(99.25, 1)], [])          # what happened in 106..111
    snaps.append (snapshot (111, snap2_book))
    e3 = depth (110, 112, b=e3_b)
    burst = []
    for i in range (40):
        msg, _, _ = random_diff (rng, 113 + i, 113 + i)
        burst.append (msg)
    session0 = [
        {'send': e1},
        {'wait_http': '/api/v3/depth', 'count': 1},
        {'sleep': 0.2},
        {'send': e2},
        {'send': {'stream': STREAM + '@bookTicker',
                  'data': {'u': 104, 's': SYM, 'b': fmt (100.0), 'B': fmt (1.5),
                           'a': fmt (100.5), 'A': fmt (1)}}},
        {'send': {'stream': STREAM + '@trade',
                  'data': {'e': 'trade', 'E': 1, 's': SYM, 't': 4242, 'p': fmt (100.2),
                           'q': fmt (0.3), 'T': 1700000000000, 'm': True, 'M': True}}},
        {'send_raw': '{"stream": "btcusdt@depth@100ms", "data": {"e": "depthUpdate", '},
        {'send': {'stream': STREAM + '@kline_1m', 'data': {'e': 'kline', 'E': 1, 's': SYM}}},
        {'send': depth (5, 6, b=[(3000.0, 1)], sym='ETHUSDT', stream='ethusdt')},
        {'send': {'result': None, 'id': 1}},
        {'send': e3},
        {'wait_http': '/api/v3/depth', 'count': 2},
        {'sleep': 0.2},
    ] + [{'send': m} for m in burst [:20]] + [{'drop': True}]

    # Connection 1: snapshot 3 at 200, bridged by 200..201, then 202..230
    snap3_book = Book ([(99.0, 2), (98.5, 1), (97.0, 5)], [(101.0, 1), (101.5, 2), (103.0, 4)])
    snaps.append (snapshot (200, snap3_book))
    book = Book (snap3_book.bids.items (), snap3_book.asks.items ())
    e100 = depth (200, 201, b=[(99.0, 2.5)], a=[(102.0, 1)])
    book.apply ([(99.0, 2.5)], [(102.0, 1)])
    session1 = [{'wait_http': '/api/v3/depth', 'count': 3}, {'send': e100}]
    for u in range (202, 231):
        msg, b, a = random_diff (rng, u, u)
        book.apply (b, a)
        session1.append ({'send': msg})
        if u == 215:
            bids, asks = book.top (1)
            if bids and asks:
                session1.append ({'send': {'stream': STREAM + '@bookTicker',
                                           'data': {'u': 215, 's': SYM, 'b': fmt (bids [0][0]),
                                                    'B': fmt (bids [0][1]), 'a': fmt (asks [0][0]),
                                                    'A': fmt (asks [0][1])}}})
    session1.append ({'hold': True})
    bids, asks = book.top (10)
    return [session0, session1], snaps, {'bids': bids, 'asks': asks, 'last_u': 230}


def main ():
    p = argparse.ArgumentParser ()
    p.add_argument ('--expected', required=True)
    p.add_argument ('--key', required=True)
    p.add_argument ('--secret', required=True)
    p.add_argument ('--seed', type=int, default=7)
    args, argv_rest = p.parse_known_args ()
    sessions, snaps, expected = build (random.Random (args.seed))
    write_json (args.expected, expected)
    calls = {'depth': 0}
    server = None

    def verify (req):
        raw = req.query
        head, sep, sig = raw.rpartition ('&signature=')
        key_ok = req.headers.get ('x-mbx-apikey') == args.key
        sig_ok = bool (sep) and hmac_hex (args.secret, head) == sig
        ts = int (req.param ('timestamp', '0'))
        window = int (req.param ('recvWindow', '5000'))
        fresh = abs (time.time () * 1000 - ts) <= window
        ok = key_ok and sig_ok and fresh
        server.log ('sig_ok' if ok else 'sig_bad', path=req.path, method=req.method,
                    key_ok=key_ok, sig_ok=sig_ok, fresh=fresh)
        return ok

    def rest (req):
        if req.method == 'GET' and req.path == '/api/v3/depth':
            if req.param ('symbol') != SYM:
                return 400, {'code': -1121, 'msg': 'Invalid symbol.'}
            i = min (calls ['depth'], len (snaps) - 1)
            calls ['depth'] += 1
            return 200, snaps [i]
        if req.path == '/api/v3/order':
            if not verify (req):
                return 400, {'code': -1022, 'msg': 'Signature for this request is not valid.'}
            cid = req.param ('newClientOrderId') or req.param ('origClientOrderId')
            if req.method == 'DELETE':
                return 400, {'code': -2011, 'msg': 'Unknown order sent.'}
            if cid.startswith ('rej'):
                return 400, {'code': -2010, 'msg': 'Account has insufficient balance for requested action.'}
            qty = float (req.param ('quantity'))
            half = qty / 2
            return 200, {'symbol': SYM, 'orderId': 555, 'orderListId': -1, 'clientOrderId': cid,
                         'transactTime': int (time.time () * 1000), 'price': '0.00000000',
                         'origQty': fmt (qty), 'executedQty': fmt (qty),
                         'cummulativeQuoteQty': fmt (half * 101.0 + half * 101.5),
                         'status': 'FILLED', 'timeInForce': 'GTC', 'type': req.param ('type'),
                         'side': req.param ('side'),
                         'fills': [{'price': fmt (101.0), 'qty': fmt (half), 'commission': '0.01',
                                    'commissionAsset': 'USDT', 'tradeId': 777},
                                   {'price': fmt (101.5), 'qty': fmt (half), 'commission': '0.00001',
                                    'commissionAsset': 'BTC', 'tradeId': 778}]}
        return 404, {'code': -1, 'msg': 'no such endpoint'}

    server = VenueServer (sessions, rest)
    return server.main (argv_rest)


if __name__ == '__main__':
    sys.exit (main ())
