#!/usr/bin/python3
"""hl_vectors: Hyperliquid L1 signatures computed independently of the C
signer (feeds/hyperliquid), for feeds/hyperliquid/hl_sign_test.

Nothing here comes from the C code: msgpack from python3-msgpack (a dict
packs in insertion order, as the official SDK relies on), Keccak-256 from
pycryptodome (Cryptodome.Hash.keccak), the EIP-712 digest written out from the
EIP-712 spec, and ECDSA over secp256k1 from python3-ecdsa: k from its RFC
6979 generator (HMAC-SHA256), the recovery id from R's y parity, s made low
(s > n/2 -> n - s, recovery id flipped) as libsecp256k1 and eth_account do.
The price and size texts follow the SDK's float_to_wire (8 decimals, must
read back within 1e-12, trailing zeros cut).

Before anything else it checks itself against vectors the official Python
SDK publishes (hyperliquid-python-sdk, tests/signing_test.py:
test_phantom_agent_creation_matches_production and
test_l1_action_signing_order_matches): exit 2 when they differ.

Input (stdin), one case per line, space-separated key=value:
  name=N kind=order|cancel|cancelByCloid|keccak key=0x<64 hex>
  mainnet=0|1 nonce=N vault=-|0x<40 hex> expires=N (0: none)
  items=ITEM[,ITEM...]   order:  asset:b(0/1):px:sz:r(0/1):Gtc|Ioc|Alo:cloid|-
                         cancel: asset:oid     cancelByCloid: asset:cloid
  (kind=keccak: len=N, the bytes i % 251 for i < N; only the hash is given)
Output (stdout), one line per case:
  N msgpack_hex action_hash digest r s v address     (hex without 0x, r and
  s 64 digits, v 27/28, address 40 digits)
  N keccak_hex                                         (kind=keccak)
"""
import hashlib
import sys
from decimal import Decimal

try:
    import msgpack
    try:                        # Debian's python3-pycryptodome is "Cryptodome"
        from Cryptodome.Hash import keccak as _keccak
    except ImportError:
        from Crypto.Hash import keccak as _keccak
    from ecdsa import SECP256k1, SigningKey, VerifyingKey
    from ecdsa.rfc6979 import generate_k
    from ecdsa.util import sigencode_strings
except ImportError as e:
    sys.exit("hl_vectors: %s: install python3-msgpack python3-pycryptodome "
             "python3-ecdsa (sh mk/deps.sh)" % e)

N = SECP256k1.order
G = SECP256k1.generator


def keccak256(data):
    h = _keccak.new(digest_bits=256)
    h.update(data)
    return h.digest()


def wire_number(x):
    """The SDK's float_to_wire, from its documented behaviour."""
    text = "%.8f" % x
    if abs(float(text) - x) >= 1e-12:
        raise ValueError("%r does not survive 8 decimals" % x)
    d = Decimal(text).normalize()
    out = format(d, "f")
    return "0" if out in ("-0", "0") else out


def order_action(items):
    orders = []
    for it in items:
        asset, b, px, sz, r, tif, cloid = it.split(":")
        wire = {"a": int(asset), "b": b == "1", "p": wire_number(float(px)),
                "s": wire_number(float(sz)), "r": r == "1",
                "t": {"limit": {"tif": tif}}}
        if cloid != "-":
            wire["c"] = cloid
        orders.append(wire)
    return {"type": "order", "orders": orders, "grouping": "na"}


def cancel_action(items):
    cancels = []
    for it in items:
        asset, oid = it.split(":")
        cancels.append({"a": int(asset), "o": int(oid)})
    return {"type": "cancel", "cancels": cancels}


def cancel_by_cloid_action(items):
    cancels = []
    for it in items:
        asset, cloid = it.split(":")
        cancels.append({"asset": int(asset), "cloid": cloid})
    return {"type": "cancelByCloid", "cancels": cancels}


def action_hash(packed, nonce, vault, expires):
    data = packed + nonce.to_bytes(8, "big")
    if vault is None:
        data += b"\x00"
    else:
        data += b"\x01" + bytes.fromhex(vault[2:])
    if expires:
        data += b"\x00" + expires.to_bytes(8, "big")
    return keccak256(data)


def agent_digest(connection_id, mainnet):
    """EIP-712: hashStruct of the domain and of Agent, then 0x1901."""
    domain_type = keccak256(b"EIP712Domain(string name,string version,"
                            b"uint256 chainId,address verifyingContract)")
    domain = keccak256(domain_type + keccak256(b"Exchange") + keccak256(b"1")
                       + (1337).to_bytes(32, "big") + bytes(32))
    agent_type = keccak256(b"Agent(string source,bytes32 connectionId)")
    source = b"a" if mainnet else b"b"
    agent = keccak256(agent_type + keccak256(source) + connection_id)
    return keccak256(b"\x19\x01" + domain + agent)


def sign(secret, digest):
    """(r, s, v) as libsecp256k1 and eth_account make them."""
    z = int.from_bytes(digest, "big")
    k = generate_k(N, secret, hashlib.sha256, digest)
    point = k * G
    r = point.x() % N
    s = pow(k, -1, N) * (z + r * secret) % N
    recid = (point.y() & 1) | (2 if point.x() >= N else 0)
    if s > N // 2:
        s, recid = N - s, recid ^ 1
    # python-ecdsa's own deterministic signature must agree (before low-s)
    sk = SigningKey.from_secret_exponent(secret, curve=SECP256k1)
    r2, s2 = sk.sign_digest_deterministic(
        digest, hashfunc=hashlib.sha256, sigencode=sigencode_strings)
    assert int.from_bytes(r2, "big") == r, "python-ecdsa disagrees on r"
    assert int.from_bytes(s2, "big") in (s, N - s), "python-ecdsa disagrees on s"
    return r, s, 27 + recid


def address(secret):
    vk = SigningKey.from_secret_exponent(secret, curve=SECP256k1).get_verifying_key()
    return keccak256(vk.to_string())[-20:]


def recovered_ok(digest, r, s, v, addr):
    """One of the keys recovered from (r, s) at v's parity is the signer."""
    sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    keys = VerifyingKey.from_public_key_recovery_with_digest(
        sig, digest, SECP256k1, hashfunc=hashlib.sha256)
    return any(keccak256(k.to_string())[-20:] == addr for k in keys)


def self_check():
    """Published by the official SDK (tests/signing_test.py)."""
    sdk_key = int("0123456789012345678901234567890123456789012345678901234567890123", 16)
    act = order_action(["4:1:1670.1:0.0147:0:Ioc:-"])
    h = action_hash(msgpack.packb(act), 1677777606040, None, 0)
    want = "0fcbeda5ae3c4950a548021552a4fea2226858c4453571bf3f24ba017eac2908"
    if h.hex() != want:
        sys.exit("hl_vectors: self-check: phantom agent %s, SDK says %s" % (h.hex(), want))
    act = order_action(["1:1:100:100:0:Gtc:-"])
    h = action_hash(msgpack.packb(act), 0, None, 0)
    for mainnet, want in ((True, (0xd65369825a9df5d80099e513cce430311d7d26ddf477f5b3a33d2806b100d78e,
                                  0x2b54116ff64054968aa237c20ca9ff68000f977c93289157748a3162b6ea940e, 28)),
                          (False, (0x82b2ba28e76b3d761093aaded1b1cdad4960b3af30212b343fb2e6cdfa4e3d54,
                                   0x6b53878fc99d26047f4d7e8c90eb98955a109f44209163f52d8dc4278cbbd9f5, 27))):
        got = sign(sdk_key, agent_digest(h, mainnet))
        if got != want:
            sys.exit("hl_vectors: self-check: order signature %r, SDK says %r" % (got, want))


def main():
    self_check()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        c = dict(kv.split("=", 1) for kv in line.split())
        if c["kind"] == "keccak":
            n = int(c["len"])
            print(c["name"], keccak256(bytes(i % 251 for i in range(n))).hex())
            continue
        items = c["items"].split(",")
        build = {"order": order_action, "cancel": cancel_action,
                 "cancelByCloid": cancel_by_cloid_action}[c["kind"]]
        packed = msgpack.packb(build(items))
        vault = None if c["vault"] == "-" else c["vault"]
        h = action_hash(packed, int(c["nonce"]), vault, int(c["expires"]))
        digest = agent_digest(h, c["mainnet"] == "1")
        secret = int(c["key"][2:], 16)
        r, s, v = sign(secret, digest)
        addr = address(secret)
        if not recovered_ok(digest, r, s, v, addr):
            sys.exit("hl_vectors: %s: signature does not recover the signer" % c["name"])
        print(c["name"], packed.hex(), h.hex(), digest.hex(), "%064x" % r, "%064x" % s, v,
              addr.hex())
    return 0


if __name__ == "__main__":
    sys.exit(main())
