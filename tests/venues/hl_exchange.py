"""hl_exchange: Hyperliquid's POST /exchange for tests/venues/hl_driver.py,
verifying every signature as the venue does, with no code of the
plugin's: the action (JSON, keys in the order they came) re-encoded with
python3-msgpack, the action hash and EIP-712 Agent digest of
hl_vectors.py (pycryptodome's Keccak), the signer recovered from (r, s, v)
with python-ecdsa and compared with the agent's address.

  - a signature that does not recover the agent: {"status": "err",
    "response": "User or API Wallet 0x.. does not exist."} (sig_bad);
  - a nonce already used by the agent: {"status": "err"} (nonce_reused);
  - an order (one per action here): a cloid seen before -> its status
    {"error": "Duplicate cloid"}; asset 1 (ETH) sell -> "Insufficient
    margin to place order. asset=1"; a buy at or above 64000 on asset 3
    (BTC) rests (order_ok) and is then filled in two halves on userFills,
    with orderUpdates open and filled; anything else rests (order_rest);
  - cancelByCloid of a resting order: "success" (cancel_ok) and
    orderUpdates "canceled"; else the venue's error status;
  - the positions its fills made (self.positions), for clearinghouseState;
  - userFundings: a snapshot of past payments (BTC paid 0.26, SOL, a coin
    the venue config does not list) on each connection, and one BTC
    payment (paid 1.3 on the position the first fills made) after them;
  - answers lost: a BTC buy at 63000 rests but its answer is an HTTP 502
    (order_lost_answer), and nothing says so until /info orderStatus asks
    about its cloid: "open" then, and it is filled as above; an ETH buy at
    3000 never arrives (order_lost_before, HTTP 502): orderStatus answers
    "unknownOid".
"""
import asyncio
import json

import msgpack

from hl_vectors import action_hash, agent_digest, address, keccak256, recovered_ok


class Exchange:
    def __init__ (self, key_hex, account, mainnet):
        self.agent = address (int (key_hex [2:] if key_hex.startswith ('0x') else key_hex, 16))
        self.account = account
        self.mainnet = mainnet
        self.server = None
        self.nonces = set ()
        self.cloids = set ()
        self.resting = {}               # cloid -> (oid, order wire)
        self.oid = 1000
        self.lose = False               # this /exchange answer is "lost" (502)
        self.lost = set ()              # cloids rested whose answer was lost
        self.to_fill = asyncio.Queue ()
        self.ws = None
        self.positions = {}             # coin -> [szi, entry px]: what the fills made
        self.funded = False             # the BTC payment after the first fills was sent

    def position_fill (self, coin, is_buy, px, sz):
        """The account's position after a fill of ours (average entry price,
        as a venue keeps it while the position grows)."""
        szi, entry = self.positions.get (coin, [0.0, 0.0])
        signed = sz if is_buy else -sz
        if szi == 0 or (szi > 0) == (signed > 0):
            entry = (abs (szi) * entry + sz * px) / (abs (szi) + sz)
        szi = round (szi + signed, 10)
        self.positions [coin] = [szi, entry if szi else 0.0]

    def verify (self, body):
        """(ok, signer address hex) of a parsed /exchange body."""
        action = body ['action']
        vault = body.get ('vaultAddress')
        h = action_hash (msgpack.packb (action), int (body ['nonce']), vault, int (body.get ('expiresAfter') or 0))
        digest = agent_digest (h, self.mainnet)
        sig = body ['signature']
        return recovered_ok (digest, int (sig ['r'], 16), int (sig ['s'], 16), int (sig ['v']), self.agent)

    def exchange (self, server, text):
        body = json.loads (text)
        ok = self.verify (body)
        server.log ('sig_ok' if ok else 'sig_bad', type=body ['action'] ['type'])
        if not ok:
            return 200, {'status': 'err', 'response': 'User or API Wallet 0x%s does not exist.' % keccak256 (
                text.encode ()) [-20:].hex ()}
        nonce = int (body ['nonce'])
        if nonce in self.nonces:
            server.log ('nonce_reused', nonce=nonce)
            return 200, {'status': 'err', 'response': 'Invalid nonce: duplicate nonce %d' % nonce}
        self.nonces.add (nonce)
        action = body ['action']
        if action ['type'] == 'order':
            statuses = [self.order (server, o) for o in action ['orders']]
            if self.lose:
                self.lose = False
                return 502, 'bad gateway'
            return 200, {'status': 'ok', 'response': {'type': 'order', 'data': {'statuses': statuses}}}
        if action ['type'] == 'cancelByCloid':
            return 200, {'status': 'ok', 'response': {'type': 'cancel', 'data': {
                'statuses': [self.cancel (server, c) for c in action ['cancels']]}}}
        return 200, {'status': 'err', 'response': 'unknown action'}

    def order (self, server, o):
        cloid = o.get ('c')
        if o ['a'] == 1 and o ['b'] and float (o ['p']) == 3000:
            server.log ('order_lost_before', cloid=cloid)
            self.lose = True
            return None
        if cloid in self.cloids:
            server.log ('order_duplicate', cloid=cloid)
            return {'error': 'Duplicate cloid'}
        self.cloids.add (cloid)
        if o ['a'] == 1 and not o ['b']:
            server.log ('order_rejected', cloid=cloid)
            return {'error': 'Insufficient margin to place order. asset=1'}
        self.oid += 1
        self.resting [cloid] = (self.oid, o)
        if o ['a'] == 3 and o ['b'] and float (o ['p']) == 63000:
            server.log ('order_lost_answer', cloid=cloid, oid=self.oid)
            self.lost.add (cloid)
            self.lose = True
            return None
        fill = o ['a'] == 3 and o ['b'] and float (o ['p']) >= 64000
        server.log ('order_ok' if fill else 'order_rest', cloid=cloid, oid=self.oid, order=o)
        if fill:
            self.to_fill.put_nowait (cloid)
        return {'resting': {'oid': self.oid}}

    def cancel (self, server, c):
        entry = self.resting.pop (c ['cloid'], None)
        if not entry:
            server.log ('cancel_unknown', cloid=c ['cloid'])
            return {'error': 'Order was never placed, already canceled, or filled. asset=%d' % c ['asset']}
        server.log ('cancel_ok', cloid=c ['cloid'], oid=entry [0])
        if self.ws:
            asyncio.get_running_loop ().create_task (self.update (self.ws, entry, 'canceled'))
        return 'success'

    def order_status (self, server, cloid):
        """/info orderStatus by cloid: the order's record, or unknownOid. A
        lost answer's order is open, and then filled."""
        entry = self.resting.get (cloid)
        server.log ('status_asked', cloid=cloid, known=entry is not None)
        if not entry:
            return {'status': 'unknownOid'}
        if cloid in self.lost:
            self.lost.discard (cloid)
            self.to_fill.put_nowait (cloid)
        return {'status': 'order', 'order': self.update_msg (entry, 'open') ['data'] [0]}

    def fundings_snapshot (self):
        return {'channel': 'userFundings', 'data': {'isSnapshot': True, 'user': self.account, 'fundings': [
            {'time': 1700000000000, 'coin': 'BTC', 'usdc': '-0.26', 'szi': '0.004', 'fundingRate': '0.0000125'},
            {'time': 1700000000000, 'coin': 'SOL', 'usdc': '0.02', 'szi': '-3.5', 'fundingRate': '0.00001'}]}}

    async def funding_paid (self, ws):
        """The next hour's payment on the BTC position the fills made."""
        szi = self.positions.get ('BTC', [0.0, 0.0]) [0]
        await ws.send (json.dumps ({'channel': 'userFundings', 'data': {'user': self.account, 'fundings': [
            {'time': 1700003600000, 'coin': 'BTC', 'usdc': '-1.3', 'szi': '%g' % szi, 'fundingRate': '0.00005'}]}}))
        self.server.log ('funding_sent', szi=szi)

    def update_msg (self, entry, status):
        oid, o = entry
        return {'channel': 'orderUpdates', 'data': [{'order': {
            'coin': 'BTC' if o ['a'] == 3 else 'ETH', 'side': 'B' if o ['b'] else 'A', 'limitPx': o ['p'],
            'sz': o ['s'], 'oid': oid, 'timestamp': 1700000001000, 'origSz': o ['s'], 'cloid': o.get ('c')},
            'status': status, 'statusTimestamp': 1700000001001}]}

    async def update (self, ws, entry, status):
        await ws.send (json.dumps (self.update_msg (entry, status)))

    async def filler (self, ws):
        """Fills each resting BTC buy in two halves, as the venue would."""
        self.ws = ws
        await ws.send (json.dumps (self.fundings_snapshot ()))
        await ws.send (json.dumps ({'channel': 'userFills', 'data': {'isSnapshot': True, 'user': self.account,
                                                                      'fills': [self.fill_msg ((1, {'a': 3, 'b': True}),
                                                                                               '64000', '1', 1)]}}))
        while True:
            cloid = await self.to_fill.get ()
            entry = self.resting.pop (cloid)
            oid, o = entry
            await self.update (ws, entry, 'open')
            half = '%g' % (float (o ['s']) / 2)
            fills = [self.fill_msg (entry, '65000.5', half, 7000 + 2 * oid, cloid),
                     self.fill_msg (entry, '65001', half, 7001 + 2 * oid, cloid)]
            for f in fills:
                self.position_fill (f ['coin'], o ['b'], float (f ['px']), float (f ['sz']))
            await ws.send (json.dumps ({'channel': 'userFills', 'data': {'user': self.account, 'fills': fills [:1]}}))
            await ws.send (json.dumps ({'channel': 'userFills', 'data': {'user': self.account, 'fills': fills [1:]}}))
            await self.update (ws, entry, 'filled')
            self.server.log ('fill_sent', cloid=cloid)
            if not self.funded:
                self.funded = True
                await self.funding_paid (ws)

    def fill_msg (self, entry, px, sz, tid, cloid=None):
        oid, o = entry
        fill = {'coin': 'BTC' if o ['a'] == 3 else 'ETH', 'px': px, 'sz': sz, 'side': 'B' if o ['b'] else 'A',
                'time': 1700000002000, 'startPosition': '0', 'dir': 'Open Long', 'closedPnl': '0',
                'hash': '0x%064x' % tid, 'oid': oid, 'crossed': tid % 2 == 1, 'fee': '0.0123', 'tid': tid,
                'feeToken': 'USDC'}
        if cloid:
            fill ['cloid'] = cloid
        return fill

    def steps (self):
        return [{'call': lambda srv, ws: asyncio.get_running_loop ().create_task (self.filler (ws))}]
