#!/usr/bin/env bash
# Times `neuralshield shadows` (16 shadow MLPs on UCI Adult) on one silo and on two silos, each silo a separate
# process with one libtorch thread and one job at a time, alternating the two settings ROUNDS times.
# Usage: benchmarks/cluster/shadows-one-vs-two-silos.sh [ROUNDS] [EPOCHS]   (from the repository root, after
# `dotnet build src/NeuralShield.Cli -c Release`; Adult from shared/data/adult above, or NEURALSHIELD_ADULT).
set -euo pipefail
ROUNDS=${1:-2}
EPOCHS=${2:-30}
CLI=${NEURALSHIELD_CLI:-src/NeuralShield.Cli/bin/Release/net10.0/NeuralShield.Cli}
ADULT=${NEURALSHIELD_ADULT:-../shared/data/adult}
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

head -c 32 /dev/urandom > "$WORK/key.bin"
"$CLI" silo manifest --data "$ADULT" --key-file "$WORK/key.bin" --out "$WORK/adult-train.manifest.json" > /dev/null

start_silo() { # $1 index (0-based)
  local port=$((11111 + $1)) gateway=$((30000 + $1)) primary=()
  [ "$1" -gt 0 ] && primary=(--primary 127.0.0.1:11111)
  "$CLI" silo --threads 1 --jobs 1 --data "$ADULT" --manifest "$WORK/adult-train.manifest.json" --key-file "$WORK/key.bin" \
    --port "$port" --gateway-port "$gateway" "${primary[@]}" > "$WORK/silo$1.log" 2>&1 &
  PIDS+=($!)
  until grep -q " ready " "$WORK/silo$1.log"; do sleep 0.2; done
}

stop_silos() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  PIDS=()
}

run() { # $1 silo count
  local gateways=""
  for ((i = 0; i < $1; i++)); do start_silo "$i"; gateways+="${gateways:+,}127.0.0.1:$((30000 + i))"; done
  # Warm-up: every silo loads and checks Adult and runs one short job.
  "$CLI" shadows --threads 1 --data "$ADULT" --cluster "$gateways" --count 2 --epochs 1 > /dev/null
  local load; load=$(cut -d' ' -f1-3 /proc/loadavg)
  local line; line=$("$CLI" shadows --threads 1 --data "$ADULT" --cluster "$gateways" --count 16 --epochs "$EPOCHS" | tail -1)
  echo "silos=$1 load_before=[$load] $line"
  stop_silos
}

echo "date=$(date -u +%FT%TZ) cores=$(nproc) cpu=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\""
for ((r = 1; r <= ROUNDS; r++)); do
  if ((r % 2)); then run 1; run 2; else run 2; run 1; fi
done
