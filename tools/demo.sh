#!/usr/bin/env bash
# The main job: a local mock Kafka cluster (3 brokers, librdkafka's mock as a
# test peer), then kcli and the examples against it:
#   1. kcli metadata: brokers, topics, partitions, leaders
#   2. produce the numbers 0..499 as JSON {"num": n} to topic testnum, printing where each landed
#   3. a group consumer sinks them into a file store, committing after each write
#   4. the same consumer again: nothing new to read
#   5. decode a recorded conversation down to its records
set -euo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
BUILD=$(cd "$BUILD" && pwd)
WORK=$(mktemp -d)
cleanup() {
    [ -n "${MOCK_PID:-}" ] && kill "$MOCK_PID" 2>/dev/null || true
    exec 3>&- 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# The mock runs until its stdin (fd 3 here) closes or 10 minutes pass.
mkfifo "$WORK/mock.in"
"$BUILD/tests/mock_cluster" -b 3 -t testnum:3 -s 600 <"$WORK/mock.in" >"$WORK/mock.out" &
MOCK_PID=$!
exec 3>"$WORK/mock.in"
for _ in $(seq 50); do [ -s "$WORK/mock.out" ] && break; sleep 0.1; done
BROKERS=$(head -1 "$WORK/mock.out")
echo "== mock cluster: $BROKERS"

echo; echo "== kcli -b $BROKERS metadata"
"$BUILD/tools/kcli" -b "$BROKERS" metadata

echo; echo "== produce the numbers 0..499 to testnum (examples/produce_numbers)"
"$BUILD/examples/produce_numbers" "$BROKERS" testnum 500 | awk 'NR <= 5 || NR > 495 { print } NR == 6 { print "   ..." }'

STORE="$WORK/numbers.store"
echo; echo "== consume them in group demo-sink into $STORE (examples/consume_numbers)"
"$BUILD/examples/consume_numbers" "$BROKERS" testnum "$STORE" demo-sink
echo "store holds $(wc -l <"$STORE") numbers; sum = $(awk '{ s += $NF } END { print s }' "$STORE") (expected 124750)"

echo; echo "== run the consumer again: everything is committed, nothing new"
"$BUILD/examples/consume_numbers" "$BROKERS" testnum "$STORE" demo-sink
echo "store still holds $(wc -l <"$STORE") numbers"

echo; echo "== kcli decode: a recorded kcat produce, down to its records (first frames)"
"$BUILD/tools/kcli" decode testdata/captures/kfake/produce-gzip-kcat215.kcap --api Produce | head -60
