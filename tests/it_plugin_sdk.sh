#!/bin/sh
# The plugin SDK, as a plugin author outside the tree uses it:
#  1. `make install DESTDIR=... PREFIX=/usr` (the plain build, as built)
#     stages the programs, the plugins, the SDK headers, hedgebus-plugin.pc,
#     the systemd units (ExecStart in PREFIX) and the config examples;
#  2. feeds/example/example.c, copied out of the tree, builds with exactly
#     `cc $(pkg-config --cflags hedgebus-plugin) -shared -fPIC example.c
#     -o hb_venue_myvenue.so` against the stage (PKG_CONFIG_SYSROOT_DIR),
#     and needs no hedgebus symbol from the host (the SDK is headers only);
#  3. the staged hb-feed loads it by path, and the staged hb-tap sees its
#     ticks on the bus.
# Skips (77) when the plain build (build/) is not up to date: the test
# installs what is built and must not start a full build itself.
. "$(dirname "$0")/lib/it.sh"
it_require cc make pkg-config nm jq
it_tmpdir plugin-sdk
make -C "$TOP" -q BUILD=build build >/dev/null 2>&1 ||
    it_skip "the plain build is not up to date (make build)"

# 1. install into a stage
STAGE=$DIR/stage
make -C "$TOP" --no-print-directory install BUILD=build DESTDIR="$STAGE" PREFIX=/usr \
    >"$DIR/install.log" 2>&1 || fail "make install (see install.log)"
for f in bin/hb-feed bin/hb-tap bin/hb-run lib/hedgebus/hb_venue_sim.so \
         include/hedgebus/hb_plugin.h share/pkgconfig/hedgebus-plugin.pc \
         lib/systemd/system/hedgebus@.service lib/sysusers.d/hedgebus.conf \
         share/hedgebus/default.yaml share/hedgebus/venues/binance.yaml; do
    [ -f "$STAGE/usr/$f" ] || fail "make install: no /usr/$f"
done
grep -q '^ExecStart=/usr/bin/hb-run ' "$STAGE/usr/lib/systemd/system/hedgebus@.service" ||
    fail "the installed unit does not run /usr/bin/hb-run: $(grep ExecStart= "$STAGE/usr/lib/systemd/system/hedgebus@.service")"
echo "ok   make install staged $(find "$STAGE" -type f | wc -l) files"

# 2. the example, out of tree, through pkg-config only
export PKG_CONFIG_PATH="$STAGE/usr/share/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$STAGE"
unset CPATH C_INCLUDE_PATH
abi=$(sed -n 's/^#define HB_PLUGIN_ABI_VERSION *\([0-9]*\).*/\1/p' "$TOP/feeds/hb_plugin.h")
[ "$(pkg-config --modversion hedgebus-plugin)" = "$abi" ] ||
    fail "hedgebus-plugin version '$(pkg-config --modversion hedgebus-plugin)', expected the ABI $abi"
[ "$(pkg-config --variable=plugindir hedgebus-plugin)" = "$STAGE/usr/lib/hedgebus" ] ||
    [ "$(pkg-config --variable=plugindir hedgebus-plugin)" = "/usr/lib/hedgebus" ] ||
    fail "plugindir: $(pkg-config --variable=plugindir hedgebus-plugin)"
mkdir -p "$DIR/myvenue"
cp "$TOP/feeds/example/example.c" "$DIR/myvenue/"
( cd "$DIR/myvenue" &&
  cc $(pkg-config --cflags hedgebus-plugin) -shared -fPIC example.c -o hb_venue_myvenue.so ) \
    >"$DIR/cc.log" 2>&1 || fail "the out-of-tree build failed: $(cat "$DIR/cc.log")"
echo "ok   built out of tree: cc $(pkg-config --cflags hedgebus-plugin) -shared -fPIC example.c"
host_syms=$(nm -D --undefined-only "$DIR/myvenue/hb_venue_myvenue.so" | awk '{print $NF}' | grep '^hb_')
[ -z "$host_syms" ] || fail "the plugin needs host internals the SDK does not provide: $host_syms"

# 3. the staged hb-feed loads it, the staged hb-tap sees its ticks
CFG=$DIR/sdk.yaml
cat >"$CFG" <<YAML
hedgebus: 1
deployment: plugin-sdk
run_dir: $DIR/run
log_level: info
assets:
  BTC: { price: 65000, vol: 0.5, drift: 0.0 }
venues:
  myvenue:
    plugin: $DIR/myvenue/hb_venue_myvenue.so
    fees: { maker: 0.0001, taker: 0.0004 }
    margin: { initial: 0.10, maintenance: 0.05 }
    collateral: { USD: 1000000 }
    myvenue: { interval_ms: 50 }
    instruments:
      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.0001, min: 0.0001 }
YAML
SBIN=$STAGE/usr/bin
it_bg tap "$SBIN/hb-tap" --config "$CFG" --topic tick.myvenue. --count 3 --timeout-ms 60000
pid_tap=$it_pid
it_bg feed "$SBIN/hb-feed" --config "$CFG" --venue myvenue
# the tap stops by itself after 3 ticks: wait for that, not for a time
wait_for 60 sh -c "! kill -0 $pid_tap 2>/dev/null" || fail "no 3 ticks from myvenue within 60 s"
wait "$pid_tap"; rc=$?; it_forget "$pid_tap"
[ "$rc" = 0 ] || fail "hb-tap exit $rc"
n=$(grep -c '"tick":' "$DIR/tap.log")
[ "$n" -ge 3 ] || fail "hb-tap saw $n ticks"
grep '"tick":' "$DIR/tap.log" | head -1 | jq -e '.tick.venue == "myvenue" and .tick.symbol == "BTC-USD"
    and (.tick.bids | length) > 0' >/dev/null || fail "not a myvenue BTC-USD tick with bids: $(head -1 "$DIR/tap.log")"
grep -q "loaded plugin example .* from $DIR/myvenue/hb_venue_myvenue.so" "$DIR/feed.log" ||
    fail "hb-feed does not say it loaded plugin example from hb_venue_myvenue.so"
echo "ok   hb-feed loaded hb_venue_myvenue.so; hb-tap saw $n ticks: $(grep '"tick":' "$DIR/tap.log" | head -1 | cut -c1-120)"
