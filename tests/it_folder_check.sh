#!/bin/sh
# The folder check (tests/check_circles.py) can fail: on planted object
# trees it must report a circle between two files of one folder (a.c calls
# b.c, b.c calls a.c), and also one round three files, naming the files; and
# pass on a tree whose calls form a chain, with a circle only through a
# test object (tests sit on top of a folder and are left out) and with the
# same circle split across two folders (the check is per folder).
. "$(dirname "$0")/lib/it.sh"
it_require cc nm python3
it_tmpdir folder-check
CHECK="$PY $TOP/tests/check_circles.py"

# obj ROOT/DIR/NAME 'C source': compiles one planted file to ROOT/DIR/NAME.o
obj() {
    mkdir -p "$DIR/src/$1" "$(dirname "$DIR/$1/$2")"
    printf '%s\n' "$3" >"$DIR/src/$1/$2.c"
    cc -c -o "$DIR/$1/$2.o" "$DIR/src/$1/$2.c" || fail "cannot compile $1/$2.c"
}

# 1. a circle of two: a.c <-> b.c
obj circle/lib a 'int b_get (void); int a_get (void) { return 1; } int a_twice (void) { return 2 * b_get (); }'
obj circle/lib b 'int a_get (void); int b_get (void) { return a_get () + 1; }'
$CHECK "$DIR/circle" >"$DIR/out1" 2>&1; rc=$?
cat "$DIR/out1"
[ "$rc" = 1 ] || fail "a.c <-> b.c: exit $rc, expected 1"
grep -q '^folder lib: a.c <-> b.c$' "$DIR/out1" || fail "a.c <-> b.c not named"
grep -q 'a.c -> b.c: b_get' "$DIR/out1" || fail "the symbol that closes the circle is not named"

# 2. a circle of three through a variable: x.c -> y.c -> z.c -> x.c, beside
#    a file outside it
obj three/lib x 'extern int z_count; int y_f (void); int x_f (void) { return y_f (); }'
obj three/lib y 'int z_f (void); int y_f (void) { return z_f (); }'
obj three/lib z 'int x_f (void); int z_count; int z_f (void) { return x_f () + z_count; }'
obj three/lib w 'int x_f (void); int w_f (void) { return x_f (); }'
$CHECK "$DIR/three" >"$DIR/out2" 2>&1; rc=$?
cat "$DIR/out2"
[ "$rc" = 1 ] || fail "x.c -> y.c -> z.c -> x.c: exit $rc, expected 1"
grep -q '^folder lib: x.c <-> y.c <-> z.c$' "$DIR/out2" || fail "the circle of three is not named"

# 3. no circle: a chain, a test that calls back, the same calls across folders
obj tree/lib top 'int mid_f (void); int top_f (void) { return mid_f (); }'
obj tree/lib mid 'int leaf_f (void); int test_hook (void); int mid_f (void) { return leaf_f () + test_hook (); }'
obj tree/lib leaf 'int leaf_f (void) { return 0; }'
obj tree/lib top_test 'int top_f (void); int test_hook (void) { return 1; } int main (void) { return top_f (); }'
obj tree/one p 'int q_f (void); int p_f (void) { return q_f (); }'
obj tree/two q 'int p_f (void); int q_f (void) { return p_f (); }'
$CHECK "$DIR/tree" >"$DIR/out3" 2>&1; rc=$?
cat "$DIR/out3"
[ "$rc" = 0 ] || fail "a tree without a circle: exit $rc, expected 0"

# 4. with --src, the object of a source that is gone (renamed or merged
#    since the build) is left out: the circle of 1. is only there while
#    both sources are
$CHECK --src "$DIR/src/circle" "$DIR/circle" >"$DIR/out5" 2>&1; rc=$?
[ "$rc" = 1 ] || fail "--src with both sources there: exit $rc, expected 1"
rm "$DIR/src/circle/lib/b.c"
$CHECK --src "$DIR/src/circle" "$DIR/circle" >"$DIR/out5" 2>&1; rc=$?
cat "$DIR/out5"
[ "$rc" = 0 ] || fail "--src with b.c gone: exit $rc, expected 0"

# 5. nothing to check is an error, not a pass
mkdir -p "$DIR/empty"
$CHECK "$DIR/empty" >"$DIR/out4" 2>&1; rc=$?
[ "$rc" = 2 ] || fail "an empty tree: exit $rc, expected 2"
echo "ok: circles of two and three reported, a tree passes, stale objects left out with --src, an empty tree is an error"
