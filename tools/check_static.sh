#!/usr/bin/env bash
# Checks a KAFKA_STATIC kcli: ldd finds nothing dynamic in it, file(1) (when
# installed) says statically linked, and `kcli --help` runs. Given the mock
# cluster program (BUILD/tests/mock_cluster, a test peer), it also runs
# metadata, produce and consume against a 3-broker mock on 127.0.0.1, with the
# brokers named by address and as localhost (name resolution in a static
# glibc). Every process it starts is stopped, every step is time-bounded.
# Given MAX_BYTES, it fails when the stripped binary is larger.
#
#   tools/check_static.sh KCLI [MOCK_CLUSTER] [MAX_BYTES]
set -euo pipefail
KCLI=${1:?usage: check_static.sh KCLI [MOCK_CLUSTER] [MAX_BYTES]}
MOCK=${2:-}
MAX_BYTES=${3:-}

fail() {
    echo "check_static: $*" >&2
    exit 1
}

ldd_out=$(ldd "$KCLI" 2>&1 || true)
grep -q "not a dynamic executable" <<<"$ldd_out" || fail "ldd sees a dynamic executable: $ldd_out"
if command -v file >/dev/null; then
    file -L "$KCLI" | grep -q "statically linked" || fail "file says: $(file -L "$KCLI")"
fi
help=$(timeout 10 "$KCLI" --help) || fail "kcli --help failed"
grep -q "metadata" <<<"$help" || fail "kcli --help lists no commands"
stripped=$(mktemp)
strip -o "$stripped" "$KCLI" || fail "strip failed"
size=$(stat -c %s "$stripped")
rm -f "$stripped"
echo "check_static: stripped, $KCLI is $size bytes"
if [ -n "$MAX_BYTES" ] && [ "$size" -gt "$MAX_BYTES" ]; then
    fail "stripped, it is $size bytes, over the $MAX_BYTES allowed"
fi
echo "check_static: $KCLI is static and runs"
[ -n "$MOCK" ] || exit 0

WORK=$(mktemp -d)
MOCK_PID=
cleanup() {
    exec 3>&- 2>/dev/null || true  # the mock exits when its stdin closes
    if [ -n "$MOCK_PID" ]; then
        kill "$MOCK_PID" 2>/dev/null || true
        wait "$MOCK_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
mkfifo "$WORK/mock.in"
"$MOCK" -b 3 -t smoke:3 -s 120 <"$WORK/mock.in" >"$WORK/mock.out" 2>&1 &
MOCK_PID=$!
exec 3>"$WORK/mock.in"
for _ in $(seq 100); do [ -s "$WORK/mock.out" ] && break; sleep 0.1; done
BROKERS=$(head -1 "$WORK/mock.out")
[[ "$BROKERS" == 127.0.0.1:* ]] || fail "the mock cluster did not start: $(cat "$WORK/mock.out")"
LOCALHOST=${BROKERS//127.0.0.1/localhost}

timeout 30 "$KCLI" -b "$BROKERS" metadata -t smoke >"$WORK/metadata" 2>&1 || fail "metadata: $(cat "$WORK/metadata")"
grep -q 'topic "smoke" with 3 partitions' "$WORK/metadata" || fail "metadata: $(cat "$WORK/metadata")"
seq 1 100 | timeout 30 "$KCLI" -b "$LOCALHOST" produce -t smoke -z lz4 -q 2>"$WORK/produce.err" ||
    fail "produce to $LOCALHOST: $(cat "$WORK/produce.err")"
timeout 30 "$KCLI" -b "$BROKERS" consume -t smoke -o beginning -e -q >"$WORK/consumed" 2>"$WORK/consume.err" ||
    fail "consume: $(cat "$WORK/consume.err")"
[ "$(sort -n "$WORK/consumed" | tr '\n' ' ')" = "$(seq 1 100 | tr '\n' ' ')" ] ||
    fail "consume read $(wc -l <"$WORK/consumed") records, not the 100 produced"
echo "check_static: metadata, produce (brokers as localhost) and consume against the mock: ok"
