#!/usr/bin/python3
"""coinbase_driver: a scripted Coinbase Advanced Trade venue for
tests/it_venue_coinbase.sh (WebSocket market data + user channel, signed
REST orders), on venue_server.py.

    coinbase_driver.py --key-file K --secret-file S --expected OUT.json
                       [venue_server options: --port-file, --log, --timeout]

Connection 0: snapshots, updates, malformed JSON, an unknown channel, a
sequence gap (then it waits for the plugin's level2 resubscribe and holds
the books stale for 2.5 s), new snapshots, and a burst cut by a TCP reset.
Connection 1 (the reconnect): snapshots and updates that make the final
books, trades, a ticker, then the user channel fill of the order the REST
side accepted. Every message is built here, and the books a correct plugin
must end with are computed from the same messages and written to
--expected (top 10 per side, sizes as the plugin normalizes them).

REST: POST /api/v3/brokerage/orders and /batch_cancel verify CB-ACCESS-KEY,
CB-ACCESS-TIMESTAMP (within 30 s) and CB-ACCESS-SIGN = hex HMAC-SHA256 of
timestamp + method + path + body under the secret; logged as sig_ok or
sig_bad (401). A client_order_id starting with "rej" is refused with
INSUFFICIENT_FUND; others are accepted (logged order_ok).
"""
import json
import random
import sys
import time

sys.path.insert (0, __import__ ('os').path.dirname (__file__))
from venue_server import Book, VenueServer, hmac_hex, read_secret, take_arg, write_json   # noqa: E402

PRODUCTS = {'BTC-USD': 60000.0, 'ETH-USD': 3000.0}
MULT = {'BTC-USD': 1.0, 'ETH-USD': 1.0}


class Script:
    def __init__ (self, seed):
        self.rng = random.Random (seed)
        self.seq = 0
        self.books = {p: Book ('bid', 'offer') for p in PRODUCTS}

    def msg (self, channel, events, seq=None):
        m = {'channel': channel, 'client_id': '', 'timestamp': '2024-05-01T10:00:00.123456Z',
             'sequence_num': self.seq if seq is None else seq, 'events': events}
        self.seq = m ['sequence_num'] + 1
        return {'send': m}

    def snapshot (self, product):
        mid = PRODUCTS [product]
        book = self.books [product] = Book ('bid', 'offer')
        updates = []
        for i in range (40):
            for side, px in (('bid', mid - 0.5 * (i + 1)), ('offer', mid + 0.5 * (i + 1))):
                qty = '%.8f' % (0.01 * self.rng.randint (1, 300))
                updates.append ({'side': side, 'event_time': '2024-05-01T10:00:00Z',
                                 'price_level': '%.2f' % px, 'new_quantity': qty})
                book.set (side, px, qty)
        return self.msg ('l2_data', [{'type': 'snapshot', 'product_id': product, 'updates': updates}])

    def update (self, product, apply=True):
        mid = PRODUCTS [product]
        updates = []
        for _ in range (self.rng.randint (1, 6)):
            side = self.rng.choice (('bid', 'offer'))
            off = 0.5 * self.rng.randint (1, 50)
            px = '%.2f' % (mid - off if side == 'bid' else mid + off)
            qty = '0' if self.rng.random () < 0.3 else '%.8f' % (0.01 * self.rng.randint (1, 300))
            updates.append ({'side': side, 'event_time': '2024-05-01T10:00:01Z',
                             'price_level': px, 'new_quantity': qty})
            if apply:
                self.books [product].set (side, px, qty)
        return self.msg ('l2_data', [{'type': 'update', 'product_id': product, 'updates': updates}])

    def updates (self, n):
        return [self.update (self.rng.choice (list (PRODUCTS))) for _ in range (n)]


def build (seed=11):
    s = Script (seed)
    # the pause lets hb-tap connect to the feed before anything is published
    s0 = [{'recv': 5}, {'sleep': 2}, s.msg ('subscriptions', [{'subscriptions': {'level2': list (PRODUCTS)}}])]
    s0 += [s.snapshot (p) for p in PRODUCTS] + s.updates (20)
    s0 += [{'send_raw': '{"channel":"l2_data","sequence_num":'},
           s.msg ('futures_balance_summary', [{'type': 'snapshot'}]),
           {'send_raw': '{"type":"mystery_type"}'}]
    s.seq += 2                                  # two messages lost: a gap
    s0 += [s.update ('BTC-USD', apply=False),
           {'recv': 2},                         # unsubscribe + subscribe level2
           {'sleep': 2.5}]                      # stale across at least two heartbeats
    s0 += [s.snapshot (p) for p in PRODUCTS] + s.updates (10)
    s0 += s.updates (30) [:30] + [{'drop': True}]   # burst cut by a reset
    s.seq = 0                                   # a new connection numbers from 0
    s1 = [{'recv': 5}]
    s1 += [s.snapshot (p) for p in PRODUCTS] + s.updates (40)
    s1.append (s.msg ('market_trades', [{'type': 'update', 'trades': [
        {'trade_id': 't-1001', 'product_id': 'BTC-USD', 'price': '60000.5', 'size': '0.25',
         'side': 'BUY', 'time': '2024-05-01T10:00:02.5Z'},
        {'trade_id': 't-1002', 'product_id': 'ETH-USD', 'price': '2999.5', 'size': '1.5',
         'side': 'SELL', 'time': '2024-05-01T10:00:02.6Z'}]}]))
    s1.append (s.msg ('ticker', [{'type': 'update', 'tickers': [
        {'type': 'ticker', 'product_id': 'BTC-USD', 'price': '1', 'best_bid': '1',
         'best_bid_quantity': '1', 'best_ask': '2', 'best_ask_quantity': '1'}]}]))
    expected = {p: s.books [p].top (qty_scale=1.0 / MULT [p]) for p in PRODUCTS}
    user_seq = s.seq
    return [s0, s1], expected, user_seq


# GET /api/v3/brokerage/market/products (discovery) as Coinbase answers,
# and what the plugin must list from it in hb units
def products ():
    def product (pid, ptype, base, quote, price_inc, base_inc, base_min, status='online', **more):
        d = {'product_id': pid, 'price': '1', 'product_type': ptype, 'status': status,
             'base_currency_id': base, 'quote_currency_id': quote, 'price_increment': price_inc,
             'base_increment': base_inc, 'base_min_size': base_min, 'quote_increment': price_inc,
             'trading_disabled': False, 'is_disabled': False, 'new': False}
        d.update (more)
        return d
    fut = {'contract_root_unit': 'BTC', 'contract_size': '0.01', 'contract_code': 'BIT'}
    return {'num_products': 5, 'products': [
        product ('BTC-USD', 'SPOT', 'BTC', 'USD', '0.01', '0.00000001', '0.00000001'),
        product ('ETH-USDC', 'SPOT', 'ETH', 'USDC', '0.01', '0.0001', '0.001'),
        product ('DOGE-USD', 'SPOT', 'DOGE', 'USD', '0.00001', '0.1', '1', status='delisted'),
        product ('BIP-20DEC30-CDE', 'FUTURE', '', 'USD', '5', '1', '1',
                 future_product_details=dict (fut, contract_expiry_type='PERPETUAL',
                                              contract_expiry='2030-12-20T16:00:00Z')),
        product ('BIT-27DEC30-CDE', 'FUTURE', '', 'USD', '5', '1', '1',
                 future_product_details=dict (fut, contract_expiry_type='EXPIRING',
                                              contract_expiry='2030-12-27T16:00:00Z'))]}


def products_expected ():
    return [
        {'symbol': 'BTC-USD', 'asset': 'BTC', 'kind': 'spot', 'flags': [], 'multiplier': 1,
         'lot_size': 1e-8, 'min_qty': 1e-8, 'expiry_ns': 0, 'settle': 'USD'},
        {'symbol': 'ETH-USDC', 'asset': 'ETH', 'kind': 'spot', 'flags': [], 'multiplier': 1,
         'lot_size': 0.0001, 'min_qty': 0.001, 'expiry_ns': 0, 'settle': 'USDC'},
        {'symbol': 'BIP-20DEC30-CDE', 'asset': 'BTC', 'kind': 'linear_perp', 'flags': [], 'multiplier': 0.01,
         'lot_size': 1, 'min_qty': 1, 'expiry_ns': 0, 'settle': 'USD'},
        {'symbol': 'BIT-27DEC30-CDE', 'asset': 'BTC', 'kind': 'future', 'flags': [], 'multiplier': 0.01,
         'lot_size': 1, 'min_qty': 1, 'expiry_ns': 1924617600000000000, 'settle': 'USD'},
    ]


def main ():
    args = sys.argv [1:]
    key = read_secret (take_arg (args, '--key-file'))
    secret = read_secret (take_arg (args, '--secret-file'))
    expected_path = take_arg (args, '--expected')
    sessions, expected, user_seq = build ()
    write_json (expected_path, expected)
    write_json (expected_path + '.instruments', products_expected ())
    state = {}

    def verify (server, req):
        ts = req.headers.get ('cb-access-timestamp', '')
        want = hmac_hex (secret, ts + req.method + req.path + req.body)
        ok = (req.headers.get ('cb-access-key') == key and ts.isdigit ()
              and abs (int (ts) - time.time ()) < 30
              and req.headers.get ('cb-access-sign') == want)
        server.log ('sig_ok' if ok else 'sig_bad', path=req.path)
        return ok

    def rest (req):
        if req.method == 'GET' and req.path == '/api/v3/brokerage/market/products':
            server.log ('products_asked')
            return 200, products ()
        if req.method != 'POST':
            return 404, {'error': 'NOT_FOUND', 'message': 'no such endpoint'}
        if not verify (server, req):
            return 401, {'error': 'UNAUTHENTICATED', 'message': 'invalid signature'}
        body = json.loads (req.body)
        if req.path == '/api/v3/brokerage/orders':
            cid = body ['client_order_id']
            if cid.startswith ('rej'):
                server.log ('order_rejected', client_id=cid)
                return 200, {'success': False, 'failure_reason': 'UNKNOWN_FAILURE_REASON',
                             'order_id': '', 'error_response': {
                                 'error': 'INSUFFICIENT_FUND',
                                 'message': 'Insufficient balance in source account',
                                 'error_details': '', 'preview_failure_reason': 'PREVIEW_INSUFFICIENT_FUND'}}
            oid = 'cb-oid-' + cid
            state ['order'] = (cid, oid, body)
            server.log ('order_ok', client_id=cid, order_id=oid,
                        config=list (body ['order_configuration']))
            return 200, {'success': True, 'success_response': {
                'order_id': oid, 'product_id': body ['product_id'], 'side': body ['side'],
                'client_order_id': cid}}
        if req.path == '/api/v3/brokerage/orders/batch_cancel':
            return 200, {'results': [{'success': False, 'failure_reason': 'UNKNOWN_CANCEL_ORDER',
                                      'order_id': body ['order_ids'] [0]}]}
        return 404, {'error': 'NOT_FOUND', 'message': 'no such endpoint'}

    async def send_fill (srv, ws):
        cid, oid, body = state ['order']
        size = body ['order_configuration'] ['market_market_ioc'] ['base_size']
        orders = [{'order_id': oid, 'client_order_id': cid, 'cumulative_quantity': size,
                   'leaves_quantity': '0', 'avg_price': '60050', 'filled_value': '%.8f' % (60050 * float (size)),
                   'total_fees': '2.4', 'status': 'FILLED', 'product_id': body ['product_id'],
                   'order_side': body ['side'], 'order_type': 'Market', 'number_of_fills': '1'}]
        await ws.send (json.dumps ({'channel': 'user', 'client_id': '', 'timestamp': '2024-05-01T10:00:03Z',
                                    'sequence_num': user_seq, 'events': [{'type': 'update', 'orders': orders}]}))
        srv.log ('fill_sent', client_id=cid)

    sessions [1] += [{'wait_log': 'order_ok', 'timeout': 40}, {'call': send_fill}, {'hold': True}]
    server = VenueServer (sessions, rest)
    return server.main (args)


if __name__ == '__main__':
    sys.exit (main ())
