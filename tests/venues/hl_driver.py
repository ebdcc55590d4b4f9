#!/usr/bin/python3
"""hl_driver: a scripted Hyperliquid venue for tests/it_venue_hyperliquid.sh,
on venue_server.py: POST /info (meta), the WebSocket (l2Book, trades,
pong) and, with --agent-key-file, POST /exchange and the user channels.

Market data. POST /info {"type":"meta"} answers a universe of four coins
(BTC is asset 3, ETH 1), {"type":"spotMeta"} two spot pairs (PURR/USDC is
pair 0: asset 10000, szDecimals 0 from its base token PURR); books of
BTC, ETH and the spot pair PURR/USDC. Connection 0: after the l2Book/trades
subscriptions, whole books (Hyperliquid sends the top 20 levels a side in
every message, no diffs), trades, malformed JSON, an unknown channel, a
book with a bad level, then silence until the plugin resubscribes both
books (stale_s), a new BTC book, a TCP reset. Connection 1: the final
books, written to --expected in bus units (BTC-PERP contracts of 0.001
BTC), a trade, then it holds (and pushes the user channels' messages).

Account: /info {"type":"clearinghouseState","user":<--account>} answers
the positions the venue's fills made (none in BTC before the first order;
with --agent-key-file, hl_exchange.py keeps them), a position in a coin
the venue config does not list, and margin figures of those positions;
/info {"type":"orderStatus","user":<--account>,"oid":<cloid>} answers the
order's record or unknownOid (hl_exchange.py).

Orders (--agent-key-file FILE: the agent's key, whose address the venue
knows; --account 0x..: the account the user channels are for). Every POST
/exchange is checked as the venue does: the action (JSON) re-encoded as
msgpack in the order the keys came, hashed with the nonce and the vault
flag (Keccak-256), the EIP-712 Agent digest (source "a" mainnet, "b"
testnet: --testnet), and the signer's address recovered from (r, s, v)
with python-ecdsa (tests/venues/hl_vectors.py: no code of the plugin's):
logged sig_ok, or sig_bad and answered as the venue does for an unknown
signer. A nonce at or below one already used is refused (nonce_reused).
An order whose size is below 0.001 BTC (asset 3) or whose cloid the
venue saw is refused in its status; otherwise it rests, and is then
filled in two parts on userFills with orderUpdates (open, filled). A
cancel by cloid of a resting order answers "success" and orderUpdates
"canceled". userFundings: on each connection a snapshot of two past
payments (BTC, and SOL which the venue config does not list), and after
the first fills a new BTC payment on the position they made.
"""
import asyncio
import json
import random
import sys

sys.path.insert (0, __import__ ('os').path.dirname (__file__))
from venue_server import VenueServer, Book, read_secret, take_arg, write_json   # noqa: E402

UNIVERSE = [{'name': 'SOL', 'szDecimals': 2, 'maxLeverage': 20},
            {'name': 'ETH', 'szDecimals': 4, 'maxLeverage': 25},
            {'name': 'ATOM', 'szDecimals': 2, 'maxLeverage': 10},
            {'name': 'BTC', 'szDecimals': 5, 'maxLeverage': 40}]
STATE = {'marginSummary': {'accountValue': '100012.5', 'totalNtlPos': '525', 'totalRawUsd': '100537.5',
                           'totalMarginUsed': '26.25'},
         'crossMarginSummary': {'accountValue': '100012.5', 'totalNtlPos': '525', 'totalRawUsd': '100537.5',
                                'totalMarginUsed': '26.25'},
         'crossMaintenanceMarginUsed': '13.125', 'withdrawable': '99986.25',
         'assetPositions': [
             {'type': 'oneWay', 'position': {'coin': 'SOL', 'szi': '3.5', 'entryPx': '150.0',
                                             'positionValue': '525', 'unrealizedPnl': '0',
                                             'liquidationPx': '20.5', 'marginUsed': '26.25',
                                             'leverage': {'type': 'cross', 'value': 20}}}],
         'time': 1700000003000}
# coin -> (mid, multiplier (bus contract), price step, price format, config symbol)
COINS = {'BTC': (65000.0, 0.001, 0.5, '%d', 'BTC-PERP'), 'ETH': (3400.0, 1.0, 0.5, '%.1f', 'ETH-PERP'),
         'PURR/USDC': (0.2, 1.0, 0.0001, '%.4f', 'PURR-USDC')}
# spotMeta: PURR/USDC is pair 0 (asset 10000), its base token PURR has szDecimals 0
SPOT_META = {'universe': [{'name': 'PURR/USDC', 'tokens': [1, 0], 'index': 0, 'isCanonical': True},
                          {'name': '@1', 'tokens': [2, 0], 'index': 1, 'isCanonical': False}],
             'tokens': [{'name': 'USDC', 'szDecimals': 8, 'weiDecimals': 8, 'index': 0},
                        {'name': 'PURR', 'szDecimals': 0, 'weiDecimals': 5, 'index': 1},
                        {'name': 'HFUN', 'szDecimals': 2, 'weiDecimals': 8, 'index': 2}]}


def state (positions):
    """clearinghouseState: SOL (not in the venue config) and the positions
    the fills made (coin -> [szi, entry px]), margin at 5 % initial and
    2.5 % maintenance of the notional at entry, no unrealized P&L."""
    out = json.loads (json.dumps (STATE))
    used, maint, ntl = 26.25, 13.125, 525.0
    for coin, (szi, entry) in sorted (positions.items ()):
        if szi == 0:
            continue
        value = abs (szi) * entry
        ntl += value
        used += value * 0.05
        maint += value * 0.025
        out ['assetPositions'].insert (0, {'type': 'oneWay', 'position': {
            'coin': coin, 'szi': '%g' % szi, 'entryPx': '%.2f' % entry, 'positionValue': '%.2f' % value,
            'unrealizedPnl': '0.0', 'returnOnEquity': '0.0', 'liquidationPx': '%.1f' % (entry * 0.5),
            'marginUsed': '%.4f' % (value * 0.05), 'leverage': {'type': 'cross', 'value': 20}, 'maxLeverage': 40,
            'cumFunding': {'allTime': '1.5', 'sinceOpen': '0.25', 'sinceChange': '0.25'}}})
    for summary in ('marginSummary', 'crossMarginSummary'):
        out [summary] ['totalNtlPos'] = '%.2f' % ntl
        out [summary] ['totalMarginUsed'] = '%.4f' % used
    out ['crossMaintenanceMarginUsed'] = '%.4f' % maint
    out ['withdrawable'] = '%.4f' % (100012.5 - used)
    return out


class Script:
    def __init__ (self, seed):
        self.rng = random.Random (seed)
        self.time = 1700000000000
        self.last = {}

    def book (self, coin, bad=False):
        """A whole l2Book message of coin; the book it leaves (unless bad)."""
        mid, _, step, form, _ = COINS [coin]
        mid *= 1 + self.rng.uniform (-0.001, 0.001)
        book = Book ()
        levels = [[], []]
        for side, sign in ((0, -1), (1, 1)):
            px = mid
            for _ in range (20):
                px += sign * step * self.rng.choice ((1, 2, 3, 4))
                text = form % px
                sz = '%g' % (self.rng.randint (1, 4000) / 1000)
                levels [side].append ({'px': text, 'sz': sz, 'n': self.rng.randint (1, 9)})
                book.set ('bids' if side == 0 else 'asks', text, sz)
        if bad:
            levels [1] [3] ['sz'] = 'lots'
        else:
            self.last [coin] = book
        self.time += 7
        return {'send': {'channel': 'l2Book', 'data': {'coin': coin, 'time': self.time, 'levels': levels}}}

    def expected (self):
        return {COINS [coin] [4]: self.last [coin].top (1.0, 1.0 / COINS [coin] [1]) for coin in COINS}


def build_market (user_subs):
    """Two sessions; user_subs: subscriptions the plugin adds (user channels)."""
    s = Script (20)
    subs = 2 * len (COINS) + user_subs
    s0 = [{'recv': subs},
          {'send': {'channel': 'subscriptionResponse', 'data': {'method': 'subscribe',
                                                                'subscription': {'type': 'l2Book', 'coin': 'BTC'}}}}]
    s0 += [s.book (c) for c in COINS] + [s.book ('BTC'), s.book ('ETH')]
    s0 += [{'send': {'channel': 'trades', 'data': [
        {'coin': 'BTC', 'side': 'B', 'px': '65001', 'sz': '0.025', 'time': 1700000000100, 'hash': '0x01',
         'tid': 5001},
        {'coin': 'ETH', 'side': 'A', 'px': '3399.5', 'sz': '1.5', 'time': 1700000000101, 'hash': '0x02',
         'tid': 5002}]}},
           {'send_raw': '{"channel":"l2Book","data":{'},
           {'send': {'channel': 'somethingNew', 'data': {}}},
           s.book ('ETH', bad=True),
           {'send': {'channel': 'pong'}}]
    # silence: both books go stale and are resubscribed (unsubscribe + subscribe each)
    s0 += [{'recv': 2 * len (COINS), 'timeout': 30}, s.book ('BTC'), s.book ('ETH'), {'sleep': 0.5},
           {'drop': True}]
    final = [s.book (c) for c in COINS] + [s.book ('BTC')]
    s1 = [{'recv': subs}] + final
    s1 += [{'send': {'channel': 'trades', 'data': [
        {'coin': 'BTC', 'side': 'A', 'px': '64999', 'sz': '0.5', 'time': 1700000000200, 'hash': '0x03',
         'tid': 5003}]}}]
    # the venue keeps publishing (every block, when the book changes): the
    # final books again, so they never go stale while the test looks
    s1.append ({'call': lambda srv, ws: asyncio.get_running_loop ().create_task (repeat (ws, final [-len (COINS):]))})
    return s0, s1, s.expected ()


async def repeat (ws, steps):
    try:
        while True:
            await asyncio.sleep (0.5)
            for step in steps:
                await ws.send (json.dumps (step ['send'], separators=(',', ':')))
    except Exception:       # the connection is gone: so is this task
        pass


def main ():
    args = sys.argv [1:]
    expected_path = take_arg (args, '--expected')
    key_file = take_arg (args, '--agent-key-file')
    account = take_arg (args, '--account', '0x' + '11' * 20)
    testnet = take_arg (args, '--testnet', '0') == '1'
    s0, s1, expected = build_market (3 if key_file else 0)
    write_json (expected_path, expected)
    orders = None
    if key_file:
        from hl_exchange import Exchange
        orders = Exchange (read_secret (key_file), account, not testnet)
        # the userFundings snapshot on the first connection too: the
        # reconnect's repeats it, and it is published once
        s0.insert (1, {'send': orders.fundings_snapshot ()})
        s1 += orders.steps ()
    s1.append ({'hold': True})

    def rest (req):
        if req.method == 'POST' and req.path == '/info':
            body = json.loads (req.body or '{}')
            if body.get ('type') == 'meta':
                return 200, {'universe': UNIVERSE}
            if body.get ('type') == 'spotMeta':
                server.log ('spot_meta_asked')
                return 200, SPOT_META
            if body.get ('type') == 'clearinghouseState' and body.get ('user') == account:
                server.log ('state_asked')
                return 200, state (orders.positions if orders else {})
            if orders and body.get ('type') == 'orderStatus' and body.get ('user') == account:
                return 200, orders.order_status (server, body.get ('oid'))
            return 422, 'Failed to deserialize the JSON body'
        if orders and req.method == 'POST' and req.path == '/exchange':
            return orders.exchange (server, req.body)
        return 404, {'error': 'no such endpoint'}

    server = VenueServer ([s0, s1], rest)
    if orders:
        orders.server = server
    return server.main (args)


if __name__ == '__main__':
    sys.exit (main ())
