#!/usr/bin/python3
"""deribit_driver: a scripted Deribit venue (JSON-RPC 2.0 over WebSocket) for
tests/it_venue_deribit.sh, on venue_server.py.

    deribit_driver.py --key-file K --secret-file S --expected OUT.json
                      [venue_server options: --port-file, --log, --timeout]

Every request of the plugin is answered with its own id, as Deribit does:
public/set_heartbeat, public/subscribe and public/unsubscribe (the result
lists the channels; logged subscribed / resubscribed), public/test (logged
test_answered), public/auth (grant_type client_signature: the signature,
hex HMAC-SHA256 under the secret of timestamp "\\n" nonce "\\n" data, and the
client id are verified; logged auth_ok, or auth_bad with error 13004),
private/subscribe, private/buy and private/sell (a label starting with
"rej" is refused with 10009 not_enough_funds; any other order fills at
once (the perpetual at 65010.5 to buy, 64990 to sell; the option at its
limit price, in BTC), in the answer and again on user.trades / user.orders, as Deribit
does, so the plugin must not count the execution twice). A label starting
with "lost" fills but the connection is reset before the answer (logged
order_lost_reply); one starting with "gone" is reset before the order
reaches the book (logged order_dropped). After the reconnect the plugin
asks: private/get_order_state (by order id), private/get_order_state_by_label
(an empty list for an order never taken) and private/get_user_trades_by_order
are answered from the orders taken so far (logged order_queried).

Connection 0: book snapshots, changes, tickers, malformed JSON, an unknown
method, a heartbeat test_request, a change_id gap (then it waits for the
plugin's resubscription and holds the book stale for 2.5 s), a new snapshot,
changes, and a burst cut by a TCP reset. Connection 1 (the reconnect):
snapshots and changes that make the final books, trades. The books a correct
plugin ends with are computed from the same messages and written to
--expected in hb units (top 10 per side: perpetual amounts in contracts of
10 USD, option prices in USD at the ticker's index).
"""
import asyncio
import json
import random
import sys
import time

sys.path.insert (0, __import__ ('os').path.dirname (__file__))
from venue_server import Book, VenueServer, hmac_hex, read_secret, take_arg, write_json   # noqa: E402

PERP = 'BTC-PERPETUAL'
OPTION = 'BTC-27DEC30-80000-C'
INDEX = 64000.0                 # the option ticker's index_price
CONTRACT_USD = 10.0             # BTC-PERP multiplier in the test config


class Script:
    def __init__ (self, seed):
        self.rng = random.Random (seed)
        self.books = {PERP: Book (), OPTION: Book ()}
        self.change_id = {PERP: 0, OPTION: 0}
        self.ts = 1700000000000

    def note (self, channel, data):
        self.ts += 7
        return {'send': {'jsonrpc': '2.0', 'method': 'subscription',
                         'params': {'channel': channel, 'data': data}}}

    def snapshot (self, inst, change_id):
        book = self.books [inst] = Book ()
        self.change_id [inst] = change_id
        levels = {'bids': [], 'asks': []}
        for i in range (30):
            if inst == PERP:
                bid, ask = 64999.5 - 0.5 * i, 65000.5 + 0.5 * i
                amounts = [10.0 * self.rng.randint (1, 500) for _ in range (2)]
            else:
                bid, ask = round (0.05 - 0.0005 * i, 4), round (0.0505 + 0.0005 * i, 4)
                amounts = [0.1 * self.rng.randint (1, 100) for _ in range (2)]
                amounts = [round (a, 1) for a in amounts]
            for side, px, amount in (('bids', bid, amounts [0]), ('asks', ask, amounts [1])):
                if px > 0:
                    levels [side].append (['new', px, amount])
                    book.set (side, px, amount)
        return self.note ('book.%s.100ms' % inst, dict (
            type='snapshot', timestamp=self.ts, instrument_name=inst, change_id=change_id, **levels))

    def change (self, inst=PERP, apply=True):
        book = self.books [inst]
        levels = {'bids': [], 'asks': []}
        for _ in range (self.rng.randint (1, 6)):
            side = self.rng.choice (('bids', 'asks'))
            step = self.rng.randint (0, 40)
            px = 64999.5 - 0.5 * step if side == 'bids' else 65000.5 + 0.5 * step
            if px in book.side [side] and self.rng.random () < 0.3:
                action, amount = 'delete', 0.0
            else:
                action = 'change' if px in book.side [side] else 'new'
                amount = 10.0 * self.rng.randint (1, 500)
            levels [side].append ([action, px, amount])
            if apply:
                book.set (side, px, amount)
        # not applied: the two changes before this one were "lost"
        cid = self.change_id [inst] + (1 if apply else 3)
        prev = self.change_id [inst] + (0 if apply else 2)
        data = dict (type='change', timestamp=self.ts, instrument_name=inst, change_id=cid,
                     prev_change_id=prev, **levels)
        if apply:
            self.change_id [inst] = cid
        return self.note ('book.%s.100ms' % inst, data)

    def changes (self, n):
        return [self.change () for _ in range (n)]

    def tickers (self):
        return [self.note ('ticker.%s.100ms' % OPTION, {
                    'timestamp': self.ts, 'instrument_name': OPTION, 'mark_price': 0.0502,
                    'mark_iv': 55.5, 'index_price': INDEX, 'underlying_price': 64400.0,
                    'greeks': {'delta': 0.41, 'gamma': 0.00002, 'vega': 90.5, 'theta': -35.1, 'rho': 10.0}}),
                self.note ('ticker.%s.100ms' % PERP, {
                    'timestamp': self.ts, 'instrument_name': PERP, 'mark_price': 65000.25,
                    'index_price': 64990.0, 'mark_iv': None})]


def build (seed=7):
    s = Script (seed)
    # the pause lets hb-tap join the feed before anything is published
    s0 = [{'wait_log': 'subscribed', 'count': 1}, {'sleep': 2}]
    s0 += [s.snapshot (PERP, 1000), s.snapshot (OPTION, 50)] + s.tickers () + s.changes (20)
    s0 += [{'send_raw': '{"jsonrpc":"2.0","method":"subscription","params":{"channel":'},
           {'send': {'jsonrpc': '2.0', 'method': 'mystery_method', 'params': {}}},
           {'send': {'jsonrpc': '2.0', 'method': 'heartbeat', 'params': {'type': 'test_request'}}},
           {'wait_log': 'test_answered', 'count': 1}]
    s0 += [s.change (apply=False),                 # change_id jumps: two messages lost
           {'wait_log': 'resubscribed', 'count': 1},
           {'sleep': 2.5}]                          # stale across at least two heartbeats
    s0 += [s.snapshot (PERP, 5000)] + s.changes (10)
    s0 += s.changes (15) + [{'drop': True}]        # a burst cut by a reset
    s1 = [{'wait_log': 'subscribed', 'count': 2}]
    s1 += [s.snapshot (PERP, 9000), s.snapshot (OPTION, 90)] + s.tickers () + s.changes (40)
    s1.append (s.note ('trades.%s.100ms' % PERP, [
        {'trade_id': '48001', 'instrument_name': PERP, 'price': 65000.5, 'amount': 250.0,
         'direction': 'buy', 'timestamp': s.ts, 'index_price': 64990.0, 'tick_direction': 0},
        {'trade_id': '48002', 'instrument_name': OPTION, 'price': 0.051, 'amount': 1.5,
         'direction': 'sell', 'timestamp': s.ts, 'index_price': 65000.0, 'iv': 56.1}]))
    expected = {'BTC-PERP': s.books [PERP].top (1.0, 1.0 / CONTRACT_USD),
                OPTION: s.books [OPTION].top (INDEX, 1.0)}
    return [s0, s1], expected


# public/get_instruments for BTC (discovery): Deribit's fields as the
# venue sends them. The second connection's answer drops the put: the
# plugin must delist it. A combo is not an instrument hb can name.
EXPIRY_MS = 1924934400000               # 2030-12-27T08:00:00Z
PERPETUAL_MS = 32503708800000


def instruments ():
    def inst (name, kind, itype, settle, contract, tick, minimum, expiry=PERPETUAL_MS, period='perpetual', **more):
        d = {'instrument_name': name, 'kind': kind, 'instrument_type': itype, 'base_currency': 'BTC',
             'counter_currency': 'USD', 'quote_currency': 'USD' if itype == 'reversed' and kind == 'future' else settle,
             'settlement_currency': settle, 'contract_size': contract, 'tick_size': tick,
             'min_trade_amount': minimum, 'expiration_timestamp': expiry, 'settlement_period': period,
             'is_active': True, 'creation_timestamp': 1700000000000, 'price_index': 'btc_usd'}
        d.update (more)
        return d
    return [
        inst ('BTC-PERPETUAL', 'future', 'reversed', 'BTC', 10, 0.5, 10),
        inst ('BTC-27DEC30', 'future', 'reversed', 'BTC', 10, 2.5, 10, EXPIRY_MS, 'month'),
        inst ('BTC_USDC-PERPETUAL', 'future', 'linear', 'USDC', 0.001, 1, 0.001),
        inst (OPTION, 'option', 'reversed', 'BTC', 1, 0.0005, 0.1, EXPIRY_MS, 'month',
              strike=80000, option_type='call'),
        inst ('BTC-27DEC30-60000-P', 'option', 'reversed', 'BTC', 1, 0.0005, 0.1, EXPIRY_MS, 'month',
              strike=60000, option_type='put'),
        inst ('BTC-FS-27DEC30_PERP', 'future_combo', 'reversed', 'BTC', 10, 0.5, 10, EXPIRY_MS, 'month'),
    ]


def expected_instruments ():
    """What instrument.deribit must end with, in hb units (hb-tap's JSON)"""
    exp = EXPIRY_MS * 1000000
    return [
        {'symbol': 'BTC-PERPETUAL', 'kind': 'inverse_perp', 'flags': ['inverse'], 'multiplier': 10,
         'lot_size': 1, 'min_qty': 1, 'expiry_ns': 0, 'strike': 0, 'settle': 'BTC'},
        {'symbol': 'BTC-27DEC30', 'kind': 'future', 'flags': ['inverse'], 'multiplier': 10,
         'lot_size': 1, 'min_qty': 1, 'expiry_ns': exp, 'strike': 0, 'settle': 'BTC'},
        {'symbol': 'BTC_USDC-PERPETUAL', 'kind': 'linear_perp', 'flags': [], 'multiplier': 0.001,
         'lot_size': 1, 'min_qty': 1, 'expiry_ns': 0, 'strike': 0, 'settle': 'USDC'},
        {'symbol': OPTION, 'kind': 'option', 'flags': ['call'], 'multiplier': 1,
         'lot_size': 0.1, 'min_qty': 0.1, 'expiry_ns': exp, 'strike': 80000, 'settle': 'BTC'},
    ]


class DeribitServer (VenueServer):
    """Answers the plugin's JSON-RPC requests on the connection they came on."""

    def __init__ (self, sessions, key, secret):
        super ().__init__ (sessions)
        self.key = key
        self.secret = secret
        self.ws = {}
        self.executions = 0
        self.orders = {}                # label -> (order, trades), for the queries
        for n, steps in enumerate (self.sessions):
            steps.insert (0, {'call': self._register (n)})

    def _register (self, n):
        def register (server, ws):
            server.ws [n] = ws
        return register

    def log (self, event, **fields):
        super ().log (event, **fields)
        if event == 'ws_recv':
            try:
                self._rpc (fields ['n'], json.loads (fields ['text']))
            except (ValueError, KeyError, TypeError) as e:
                super ().log ('bad_request', error=repr (e))

    def _send (self, n, obj):
        ws = self.ws.get (n)
        if ws is not None:
            asyncio.get_running_loop ().create_task (ws.send (json.dumps (obj, separators=(',', ':'))))

    def _rpc (self, n, req):
        rid, method, params = req ['id'], req ['method'], req.get ('params', {})
        result = None
        error = None
        if method == 'public/set_heartbeat':
            result = 'ok'
        elif method in ('public/subscribe', 'private/subscribe', 'public/unsubscribe'):
            result = params ['channels']
            if method == 'public/subscribe':
                book_only = len (result) == 1 and result [0].startswith ('book.')
                super ().log ('resubscribed' if book_only else 'subscribed', n=n, channels=result)
        elif method == 'public/get_instruments':
            listed = instruments () if params.get ('currency') == 'BTC' else []
            if n > 0:
                listed = [i for i in listed if not i ['instrument_name'].endswith ('-P')]
            super ().log ('instruments_listed', n=n, currency=params.get ('currency'), count=len (listed))
            result = listed
        elif method == 'public/test':
            result = {'version': '1.2.26'}
            super ().log ('test_answered', n=n)
        elif method == 'public/auth':
            payload = '%d\n%s\n%s' % (params ['timestamp'], params ['nonce'], params.get ('data', ''))
            ok = (params ['grant_type'] == 'client_signature' and params ['client_id'] == self.key
                  and abs (params ['timestamp'] / 1000.0 - time.time ()) < 30
                  and params ['signature'] == hmac_hex (self.secret, payload))
            super ().log ('auth_ok' if ok else 'auth_bad', n=n)
            if ok:
                result = {'access_token': 'tok-%d' % n, 'expires_in': 900, 'refresh_token': 'r',
                          'scope': 'connection', 'token_type': 'bearer'}
            else:
                error = {'code': 13004, 'message': 'invalid_credentials'}
        elif method in ('private/buy', 'private/sell'):
            label = params.get ('label', '')
            if label.startswith ('rej'):
                super ().log ('order_rejected', label=label)
                error = {'code': 10009, 'message': 'not_enough_funds'}
            elif label.startswith ('gone'):
                super ().log ('order_dropped', n=n, label=label)
                self.ws [n].transport.abort ()
                return
            elif label.startswith ('lost'):
                self._fill (n, method [8:], params, notify=False)
                super ().log ('order_lost_reply', n=n, label=label)
                self.ws [n].transport.abort ()
                return
            else:
                result = self._fill (n, method [8:], params)
        elif method == 'private/get_order_state_by_label':
            label = params ['label']
            super ().log ('order_queried', n=n, by='label', label=label, currency=params.get ('currency'))
            result = [self.orders [label][0]] if label in self.orders else []
        elif method in ('private/get_order_state', 'private/get_user_trades_by_order'):
            found = [v for v in self.orders.values () if v [0]['order_id'] == params ['order_id']]
            super ().log ('order_queried', n=n, by=method [8:], order_id=params ['order_id'])
            if not found:
                error = {'code': 10004, 'message': 'order_not_found'}
            else:
                result = found [0][0] if method == 'private/get_order_state' else found [0][1]
        else:
            error = {'code': -32601, 'message': 'Method not found'}
        reply = {'jsonrpc': '2.0', 'id': rid, 'usIn': 0, 'usOut': 0, 'usDiff': 0, 'testnet': True}
        if error is not None:
            reply ['error'] = error
        else:
            reply ['result'] = result
        self._send (n, reply)

    def _fill (self, n, direction, params, notify=True):
        self.executions += 1
        inst, amount, label = params ['instrument_name'], params ['amount'], params ['label']
        oid = 'BTC-%d' % (700000 + self.executions)
        price = 65010.5 if direction == 'buy' else 64990.0
        if inst == OPTION:      # an option fills at its limit, in BTC (Deribit quotes options in coin)
            price = float (params.get ('price', 0.0502))
        order = {'order_id': oid, 'label': label, 'instrument_name': inst, 'direction': direction,
                 'amount': amount, 'filled_amount': amount, 'average_price': price,
                 'order_state': 'filled', 'order_type': params.get ('type', 'limit'),
                 'time_in_force': params.get ('time_in_force'), 'last_update_timestamp': 1700000100000}
        trade = {'trade_id': 'BTC-T%d' % self.executions, 'order_id': oid, 'label': label,
                 'instrument_name': inst, 'direction': direction, 'price': price, 'amount': amount,
                 'fee': 0.0000023, 'fee_currency': 'BTC', 'liquidity': 'T', 'index_price': 64995.0,
                 'timestamp': 1700000100000, 'state': 'filled'}
        super ().log ('order_filled', label=label, instrument=inst, amount=amount,
                      type=params.get ('type'), price=params.get ('price'))
        self.orders [label] = (order, [trade])
        if not notify:
            return None
        # Deribit tells again on the private channels; the plugin dedups
        self._send (n, {'jsonrpc': '2.0', 'method': 'subscription',
                        'params': {'channel': 'user.trades.any.any.raw', 'data': [trade]}})
        self._send (n, {'jsonrpc': '2.0', 'method': 'subscription',
                        'params': {'channel': 'user.orders.any.any.raw', 'data': order}})
        return {'order': order, 'trades': [trade]}


def main ():
    args = sys.argv [1:]
    key = read_secret (take_arg (args, '--key-file'))
    secret = read_secret (take_arg (args, '--secret-file'))
    expected_path = take_arg (args, '--expected')
    sessions, expected = build ()
    write_json (expected_path, expected)
    write_json (expected_path + '.instruments', expected_instruments ())
    sessions [1].append ({'hold': True})
    sessions += [[{'hold': True}], [{'hold': True}]]    # after the "lost" and "gone" orders
    return DeribitServer (sessions, key, secret).main (args)


if __name__ == '__main__':
    sys.exit (main ())
