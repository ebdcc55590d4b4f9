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

The user data stream: POST /api/v3/userDataStream (X-MBX-APIKEY checked)
answers the live listenKey, a new one (lk-1, lk-2, ...) when there is none
or it expired (logged listen_key); the plugin's
WebSocket on /ws/<listenKey> is served apart from the market sessions
(logged user_connect / user_closed with the key; a key not issued is
refused). PUT with listenKey is the keepalive (logged keepalive, ok when it
names the current key, else -1125). On that stream, as Binance does:
  - an order that fills at once gets its executionReports too (NEW, one
    TRADE per trade of the REST answer, same trade ids): duplicates the
    plugin must not publish again;
  - an order whose client id starts with "rest" (a GTC limit that rests)
    is answered NEW over REST, then its fills come on the stream only:
    TRADE 0.5 of it (trade 901, maker, commission 0.05 USDT) then TRADE the
    rest (trade 902, taker, commission 0.0001 BNB, FILLED); then
    listenKeyExpired, after which the key is dead and the plugin must get a
    new one and reconnect on it.
Each event sent is logged user_sent (type, client id, trade id).

With --market usdm the venue is USDⓈ-M futures instead (/fapi/v1/depth,
/fapi/v1/order with newOrderRespType=RESULT, /fapi/v1/listenKey, depth
diffs with pu): one market connection (a diff before snapshot 100 that
bridges it, then one that follows by pu, then held open) and, on the user
stream, ORDER_TRADE_UPDATE events. Every order fills at once: the REST
answer is FILLED with executedQty and avgPrice but no trades, then the
stream tells NEW, a TRADE (PARTIALLY_FILLED, 0.4 of it, trade 9001, maker,
commission in USDT), a TRADE (FILLED, the rest, trade 9002, taker,
commission in BNB), and that last event once more (a redelivery): the
plugin must publish each trade once and one final ack. The keepalive is a
PUT without a listenKey (usdm extends the API key's one).
"""
import argparse
import json
import random
import sys
import time
import os

sys.path.insert (0, os.path.dirname (os.path.abspath (__file__)))
import asyncio                                                      # noqa: E402
import websockets                                                   # noqa: E402
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


def build_usdm ():
    """The usdm market session and the book it leaves (venue units)."""
    snap = Book ([(100.0, 1), (99.5, 2), (99.0, 3)], [(100.5, 1), (101.0, 2), (101.5, 3)])
    book = Book (snap.bids.items (), snap.asks.items ())

    def fdepth (U, u, pu, b=(), a=()):
        msg = depth (U, u, b, a)
        msg ['data'].update (pu=pu, T=msg ['data'] ['E'])
        return msg
    e1 = fdepth (98, 101, 97, b=[(100.0, 1.5)])        # bridges 100: U <= 100 <= u
    book.apply ([(100.0, 1.5)], [])
    e2 = fdepth (102, 104, 101, b=[(99.5, 0)], a=[(100.5, 0.7)])
    book.apply ([(99.5, 0)], [(100.5, 0.7)])
    session = [{'send': e1}, {'wait_http': '/fapi/v1/depth', 'count': 1}, {'sleep': 0.2},
               {'send': e2}, {'hold': True}]
    bids, asks = book.top (10)
    return [session], [snapshot (100, snap)], {'bids': bids, 'asks': asks, 'last_u': 104}


def order_update (cid, oid, side, qty, x, status, cum, trade=None):
    """An ORDER_TRADE_UPDATE as Binance's USDⓈ-M user stream sends it."""
    now = int (time.time () * 1000)
    o = {'s': SYM, 'c': cid, 'S': side, 'o': 'MARKET', 'f': 'IOC', 'q': fmt (qty), 'p': '0',
         'ap': fmt (0), 'sp': '0', 'x': x, 'X': status, 'i': oid, 'l': fmt (0), 'z': fmt (cum),
         'L': fmt (0), 'N': 'USDT', 'n': '0', 'T': now, 't': 0, 'b': '0', 'a': '0', 'm': False,
         'R': False, 'wt': 'CONTRACT_PRICE', 'ot': 'MARKET', 'ps': 'BOTH', 'cp': False, 'rp': '0',
         'pP': False, 'si': 0, 'ss': 0}
    if trade:
        px, lq, tid, maker, commission, asset = trade
        o.update (l=fmt (lq), L=fmt (px), t=tid, m=maker, n=commission, N=asset)
    return {'e': 'ORDER_TRADE_UPDATE', 'E': now, 'T': now, 'o': o}


class BinanceServer (VenueServer):
    """The market sessions of VenueServer, and the user data stream beside
    them: a WebSocket on /ws/<listenKey> is not a market session."""

    def __init__ (self, sessions, rest):
        super ().__init__ (sessions, rest)
        self.keys = []                  # listenKeys issued, the last one live
        self.dead = set ()
        self.user = None                # the user stream's WebSocket

    async def _ws (self, ws, path):
        if not path.startswith ('/ws/'):
            return await super ()._ws (ws, path)
        key = path [4:]
        if key not in self.keys or key in self.dead:
            self.log ('user_refused', key=key)
            await ws.close (code=1008)
            return
        self.log ('user_connect', key=key)
        self.user = ws
        try:
            async for _ in ws:
                pass
        except websockets.ConnectionClosed:
            pass
        if self.user is ws:
            self.user = None
        self.log ('user_closed', key=key)

    def push (self, events):
        """Sends (delay, event) pairs on the user stream, in order."""
        async def run ():
            for delay, event in events:
                await asyncio.sleep (delay)
                for _ in range (50):        # the stream may be reconnecting
                    if self.user is not None:
                        break
                    await asyncio.sleep (0.1)
                if self.user is None:
                    self.log ('user_lost', type=event ['e'])
                    continue
                await self.user.send (json.dumps (event))
                self.log ('user_sent', type=event ['e'], c=event.get ('c'), t=event.get ('t'))
                if event ['e'] == 'listenKeyExpired':
                    self.dead.add (event ['listenKey'])
        asyncio.get_running_loop ().create_task (run ())


def report (cid, oid, side, qty, x, status, cum, trade=None):
    """An executionReport as Binance's spot user stream sends it."""
    now = int (time.time () * 1000)
    e = {'e': 'executionReport', 'E': now, 's': SYM, 'c': cid, 'S': side, 'o': 'LIMIT',
         'f': 'GTC', 'q': fmt (qty), 'p': fmt (101.0), 'P': fmt (0), 'F': fmt (0), 'g': -1,
         'C': '', 'x': x, 'X': status, 'r': 'NONE', 'i': oid, 'l': fmt (0), 'z': fmt (cum),
         'L': fmt (0), 'n': '0', 'N': None, 'T': now, 't': -1, 'I': 1, 'w': status == 'NEW',
         'm': False, 'M': False, 'O': now, 'Z': fmt (0), 'Y': fmt (0), 'Q': fmt (0)}
    if trade:
        px, lq, tid, maker, commission, asset = trade
        e.update (l=fmt (lq), L=fmt (px), t=tid, m=maker, n=commission, N=asset)
    return e


def exchange_info (usdm):
    """exchangeInfo as Binance serves it: three symbols trading (two for
    spot), one in BREAK, and (usdm) a quarterly and an index product; and
    what the plugin must list from it, in hb units"""
    def sym (name, base, quote, tick, step, minimum, status='TRADING', **more):
        d = {'symbol': name, 'status': status, 'baseAsset': base, 'quoteAsset': quote,
             'filters': [{'filterType': 'PRICE_FILTER', 'minPrice': '0.01', 'maxPrice': '1000000',
                          'tickSize': tick},
                         {'filterType': 'LOT_SIZE', 'minQty': minimum, 'maxQty': '9000', 'stepSize': step},
                         {'filterType': 'MIN_NOTIONAL', 'notional': '5'}]}
        if usdm:
            d.update ({'marginAsset': quote, 'contractType': 'PERPETUAL', 'deliveryDate': 4133404800000,
                       'pricePrecision': 2, 'quantityPrecision': 3})
        d.update (more)
        return d
    symbols = [sym ('BTCUSDT', 'BTC', 'USDT', '0.10', '0.001', '0.001'),
               sym ('ETHUSDT', 'ETH', 'USDT', '0.01', '0.001', '0.002'),
               sym ('LUNAUSDT', 'LUNA', 'USDT', '0.0001', '1', '1', status='BREAK')]
    want = [{'symbol': 'BTCUSDT', 'asset': 'BTC', 'kind': 2 if usdm else 1, 'multiplier': 1,
             'tick_size': 0.1, 'lot_size': 0.001, 'min_qty': 0.001, 'expiry_ns': 0, 'settle': 'USDT'},
            {'symbol': 'ETHUSDT', 'asset': 'ETH', 'kind': 2 if usdm else 1, 'multiplier': 1,
             'tick_size': 0.01, 'lot_size': 0.001, 'min_qty': 0.002, 'expiry_ns': 0, 'settle': 'USDT'}]
    if usdm:
        symbols += [sym ('BTCUSDT_261225', 'BTC', 'USDT', '0.10', '0.001', '0.001',
                         contractType='CURRENT_QUARTER', deliveryDate=1798185600000),
                    sym ('BTCDOMUSDT', 'BTCDOM', 'USDT', '0.1', '0.001', '0.001', contractType='')]
        want.append ({'symbol': 'BTCUSDT_261225', 'asset': 'BTC', 'kind': 4, 'multiplier': 1,
                      'tick_size': 0.1, 'lot_size': 0.001, 'min_qty': 0.001,
                      'expiry_ns': 1798185600000 * 1000000, 'settle': 'USDT'})
    else:
        symbols [1]['quoteAsset'] = 'USDC'
        symbols [1]['symbol'] = 'ETHUSDC'
        want [1].update (symbol='ETHUSDC', settle='USDC')
    return {'timezone': 'UTC', 'serverTime': int (time.time () * 1000), 'rateLimits': [],
            'symbols': symbols}, want


def main ():
    p = argparse.ArgumentParser ()
    p.add_argument ('--expected', required=True)
    p.add_argument ('--key', required=True)
    p.add_argument ('--secret', required=True)
    p.add_argument ('--seed', type=int, default=7)
    p.add_argument ('--market', choices=('spot', 'usdm'), default='spot')
    args, argv_rest = p.parse_known_args ()
    usdm = args.market == 'usdm'
    if usdm:
        sessions, snaps, expected = build_usdm ()
    else:
        sessions, snaps, expected = build (random.Random (args.seed))
    api = '/fapi/v1' if usdm else '/api/v3'

    info, expected ['instruments'] = exchange_info (usdm)
    write_json (args.expected, expected)
    calls = {'depth': 0}
    server = None

    def listen (req):
        key_ok = req.headers.get ('x-mbx-apikey') == args.key
        if not key_ok:
            server.log ('listen_bad_key', method=req.method)
            return 401, {'code': -2015, 'msg': 'Invalid API-key, IP, or permissions for action.'}
        if req.method == 'POST':
            # Binance gives the live key again while it lives
            if not server.keys or server.keys [-1] in server.dead:
                server.keys.append ('lk-%d' % (len (server.keys) + 1))
            server.log ('listen_key', key=server.keys [-1])
            return 200, {'listenKey': server.keys [-1]}
        if req.method == 'PUT':
            key = req.param ('listenKey')
            if usdm and key is None and server.keys:
                key = server.keys [-1]          # usdm extends the API key's one
            ok = bool (server.keys) and key == server.keys [-1] and key not in server.dead
            server.log ('keepalive', key=key, ok=ok)
            return (200, {}) if ok else (400, {'code': -1125, 'msg': 'This listenKey does not exist.'})
        return 405, {'code': -1, 'msg': 'method'}

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
        if req.method == 'GET' and req.path == api + '/exchangeInfo':
            return 200, info
        if req.method == 'GET' and req.path == api + '/depth':
            if req.param ('symbol') != SYM:
                return 400, {'code': -1121, 'msg': 'Invalid symbol.'}
            i = min (calls ['depth'], len (snaps) - 1)
            calls ['depth'] += 1
            return 200, snaps [i]
        if req.path == ('/fapi/v1/listenKey' if usdm else '/api/v3/userDataStream'):
            return listen (req)
        if req.path == '/fapi/v1/order':
            return usdm_order (req)
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
            side = req.param ('side')
            if cid.startswith ('rest'):
                server.push ([(0.05, report (cid, 556, side, qty, 'NEW', 'NEW', 0)),
                              (0.3, report (cid, 556, side, qty, 'TRADE', 'PARTIALLY_FILLED', half,
                                            (101.0, half, 901, True, '0.05', 'USDT'))),
                              (0.3, report (cid, 556, side, qty, 'TRADE', 'FILLED', qty,
                                            (100.5, half, 902, False, '0.0001', 'BNB'))),
                              (0.3, {'e': 'listenKeyExpired', 'E': int (time.time () * 1000),
                                     'listenKey': server.keys [-1]})])
                return 200, {'symbol': SYM, 'orderId': 556, 'orderListId': -1, 'clientOrderId': cid,
                             'transactTime': int (time.time () * 1000), 'price': fmt (101.0),
                             'origQty': fmt (qty), 'executedQty': fmt (0),
                             'cummulativeQuoteQty': fmt (0), 'status': 'NEW', 'timeInForce': 'GTC',
                             'type': 'LIMIT', 'side': side, 'fills': []}
            # the stream tells the same trades (same ids) as the answer
            server.push ([(0.05, report (cid, 555, side, qty, 'NEW', 'NEW', 0)),
                          (0.01, report (cid, 555, side, qty, 'TRADE', 'PARTIALLY_FILLED', half,
                                         (101.0, half, 777, False, '0.01', 'USDT'))),
                          (0.01, report (cid, 555, side, qty, 'TRADE', 'FILLED', qty,
                                         (101.5, half, 778, False, '0.00001', 'BTC')))])
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

    def usdm_order (req):
        if not verify (req):
            return 400, {'code': -1022, 'msg': 'Signature for this request is not valid.'}
        if req.method != 'POST' or req.param ('newOrderRespType') != 'RESULT':
            return 400, {'code': -1, 'msg': 'only POST with newOrderRespType=RESULT is played'}
        cid = req.param ('newClientOrderId')
        qty = float (req.param ('quantity'))
        side = req.param ('side')
        part = qty * 0.4
        filled = order_update (cid, 8001, side, qty, 'TRADE', 'FILLED', qty,
                               (101.5, qty - part, 9002, False, '0.00020000', 'BNB'))
        server.push ([(0.05, order_update (cid, 8001, side, qty, 'NEW', 'NEW', 0)),
                      (0.05, order_update (cid, 8001, side, qty, 'TRADE', 'PARTIALLY_FILLED', part,
                                           (101.0, part, 9001, True, '0.01010000', 'USDT'))),
                      (0.05, filled),
                      (0.05, filled)])
        avg = (part * 101.0 + (qty - part) * 101.5) / qty
        return 200, {'orderId': 8001, 'symbol': SYM, 'status': 'FILLED', 'clientOrderId': cid,
                     'price': '0', 'avgPrice': '%.5f' % avg, 'origQty': fmt (qty),
                     'executedQty': fmt (qty), 'cumQuote': fmt (avg * qty), 'timeInForce': 'GTC',
                     'type': 'MARKET', 'reduceOnly': False, 'closePosition': False, 'side': side,
                     'positionSide': 'BOTH', 'stopPrice': '0', 'workingType': 'CONTRACT_PRICE',
                     'priceProtect': False, 'origType': 'MARKET', 'updateTime': int (time.time () * 1000)}

    server = BinanceServer (sessions, rest)
    return server.main (argv_rest)


if __name__ == '__main__':
    sys.exit (main ())
