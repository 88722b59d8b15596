#!/usr/bin/env bash
# Marginal CPU per record (issue 15): a W1-shaped perf-test (100 B values, null keys, acks=all, linger.ms 5, batch.size
# 1 MiB, buffer.memory 32 MiB, no idempotence, 8 partitions) of LARGE records minus one of SMALL records, the difference
# in the process's user+sys time over LARGE-SMALL records. Start-up, JIT and connection set-up cancel out.
# Each run is its own process (kafka-actors perf-test, or the bench's confluent-perf-test for Confluent.Kafka), against
# ONE broker process (kafka-actors broker --no-front, 3 mock brokers) started here, so the broker's CPU is not in the
# client's; it is read from /proc and printed beside it. CPU time comes from bash's `time` (getrusage of the waited
# child: all its threads, librdkafka's too).
#
# Usage: bench/cpu-per-record.sh [--runs N] [--small N] [--large N] [--clients "kafka-actors confluent"] [--no-build]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CONFIGURATION=${CONFIGURATION:-Release}
RUNS=1 SMALL=2000000 LARGE=10000000 CLIENTS="kafka-actors confluent" BUILD=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --small) SMALL=$2; shift 2 ;;
    --large) LARGE=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "Unknown option $1 (see --help)" >&2; exit 1 ;;
  esac
done
(( LARGE > SMALL )) || { echo "--large must be more than --small" >&2; exit 1; }

# The bench's project reference builds the tool too.
if (( BUILD )); then dotnet build "$ROOT/bench/KafkaActors.Benchmarks" -c "$CONFIGURATION" -v quiet -nologo >&2; fi
CLI=$ROOT/tools/KafkaActors.Cli/bin/$CONFIGURATION/net10.0/kafka-actors.dll
BENCH=$ROOT/bench/KafkaActors.Benchmarks/bin/$CONFIGURATION/net10.0/KafkaActors.Benchmarks.dll

WORK=$(mktemp -d)
mkfifo "$WORK/in"
dotnet "$CLI" broker --no-front --brokers 3 < "$WORK/in" > "$WORK/broker.out" 2> "$WORK/broker.err" &
BROKER=$!
exec 3> "$WORK/in" # the broker runs until this closes
cleanup() { exec 3>&-; wait "$BROKER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

lines() { wc -l < "$WORK/broker.out"; }
# Waits (up to 60 s) until broker.out has more than $1 lines, then prints line $1+1.
line_after() {
  for _ in $(seq 600); do
    if (( $(lines) > $1 )); then sed -n "$(( $1 + 1 ))p" "$WORK/broker.out"; return; fi
    kill -0 "$BROKER" 2>/dev/null || { echo "The broker exited: $(cat "$WORK/broker.err")" >&2; exit 1; }
    sleep 0.1
  done
  echo "No answer from the broker within 60 s: $(cat "$WORK/broker.err")" >&2; exit 1
}
broker_command() {
  local before answer; before=$(lines)
  echo "$1" >&3
  answer=$(line_after "$before")
  [[ $answer == ok* ]] || { echo "The broker answered '$1' with: $answer" >&2; exit 1; }
}
FIRST=$(line_after 0)
BOOTSTRAP=${FIRST#bootstrap.servers=}
[[ $FIRST == bootstrap.servers=* ]] || { echo "Unexpected first line from the broker: $FIRST" >&2; exit 1; }

TICKS=$(getconf CLK_TCK)
# The broker's user+sys so far, in seconds (utime and stime are fields 14 and 15 of /proc/PID/stat; its name has no blanks).
broker_cpu() { awk -v t="$TICKS" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$BROKER/stat"; }

PROPS=(acks=all linger.ms=5 batch.size=1048576 buffer.memory=33554432 enable.idempotence=false)
# One perf-test process: prints "CPU_SECONDS BROKER_CPU_SECONDS WALL_SECONDS FINAL_LINE".
run() {
  local client=$1 records=$2 topic="cpu-$1-$2-$RANDOM$RANDOM" b0 b1 cpu
  broker_command "topic $topic 8 1"
  local args=(--topic "$topic" --num-records "$records" --record-size 100 --throughput -1 --producer-props "bootstrap.servers=$BOOTSTRAP" "${PROPS[@]}")
  local program=("$CLI" perf-test)
  [[ $client == confluent ]] && program=("$BENCH" confluent-perf-test)
  b0=$(broker_cpu)
  local TIMEFORMAT='%3U %3S %3R'
  { time dotnet "${program[@]}" "${args[@]}" > "$WORK/run.out" 2> "$WORK/run.err" ; } 2> "$WORK/time" \
    || { echo "$client perf-test of $records records failed: $(cat "$WORK/run.err")" >&2; exit 1; }
  b1=$(broker_cpu)
  read -r user sys real < "$WORK/time"
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f", u + s }')
  echo "$cpu $(awk -v a="$b0" -v b="$b1" 'BEGIN { printf "%.3f", b - a }') $real $(tail -n 1 "$WORK/run.out")"
}

echo "# Marginal CPU per record: ($LARGE-record run - $SMALL-record run) / $(( LARGE - SMALL )), W1-shaped: 100 B, ${PROPS[*]}, 8 partitions"
echo "# broker: kafka-actors broker --no-front, 3 brokers, one process (pid $BROKER) for every run; $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M') UTC"
declare -A MARGINAL
for run_number in $(seq "$RUNS"); do
  for client in $CLIENTS; do
    run "$client" "$SMALL" > "$WORK/small"
    run "$client" "$LARGE" > "$WORK/large"
    read -r small_cpu small_broker small_wall small_line < "$WORK/small"
    read -r large_cpu large_broker large_wall large_line < "$WORK/large"
    us=$(awk -v a="$small_cpu" -v b="$large_cpu" -v n=$(( LARGE - SMALL )) 'BEGIN { printf "%.3f", (b - a) * 1e6 / n }')
    broker_us=$(awk -v a="$small_broker" -v b="$large_broker" -v n=$(( LARGE - SMALL )) 'BEGIN { printf "%.3f", (b - a) * 1e6 / n }')
    MARGINAL[$client]="${MARGINAL[$client]:-} $us"
    echo "$client run $run_number: $SMALL records ${small_cpu} s CPU (${small_wall} s wall), $LARGE records ${large_cpu} s CPU (${large_wall} s wall): marginal $us µs/record (broker $broker_us µs/record)"
    echo "  $SMALL: $small_line"
    echo "  $LARGE: $large_line"
  done
done
for client in $CLIENTS; do
  # shellcheck disable=SC2086
  median=$(printf '%s\n' ${MARGINAL[$client]} | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
  echo "$client: marginal CPU $median µs/record (median of $RUNS; runs:${MARGINAL[$client]})"
done
