#!/usr/bin/env bash
# The GPU measurement as one prepared command.
#
#   benchmarks/gpu/run.sh OUT_DIR [--device cuda|cpu] [--pack | --pack-only] [--limit SECONDS] [--quick]
#
# --quick runs every loop at tiny sizes (a check of the script, not a measurement).
# Where the .NET SDK is present (here) and with --pack or --pack-only, or when .device/ is missing, it first packs
# the CLI with ../shared/device/pack.sh (a .NET runtime, no libtorch: the GPU machine's PyTorch provides it) and
# publishes the CUDA tests beside it (.device/tests, run by .device/run-tests.sh). Then, each step under its own
# share of the time limit (default 540 s in all):
#   1. the CUDA tests (tests/NeuralShield.Cuda.Tests, its own runner: no SDK needed)   -> cuda_tests.json
#   2. neuralshield bench --all --device cuda (skipped with --device cpu)                -> bench_cuda.json
#   3. neuralshield bench jsma-224 --device cuda (memory bounded by the pair-search block; skipped with --device cpu)
#   4. neuralshield bench --all --device cpu                                             -> bench_cpu.json
#   5. the PyTorch side by side (benchmarks/reference/side_by_side.py, PyTorch on the same device) -> side_by_side.json
# and writes summary.md (every table and log) and run.log into OUT_DIR: six files, within what a device run returns.
#
# On the GPU machine, after `benchmarks/gpu/run.sh /tmp/ignored --pack-only` here, call the device tool's run with
# carry [".device"] and the command  bash benchmarks/gpu/run.sh $OUT
# With --device cpu on a machine with the SDK the local Release build is used instead of .device: the packed CLI takes
# libtorch from python3's torch, which must be a PyTorch 2.x (TorchSharp 0.107 needs libtorch 2.10's ABI).
set -uo pipefail
out=${1:?usage: benchmarks/gpu/run.sh OUT_DIR [--device cuda|cpu] [--pack|--pack-only] [--limit SECONDS]}
shift
device=cuda pack=auto limit=540 quick=
while [ $# -gt 0 ]; do
  case "$1" in
    --device) device=$2; shift 2 ;;
    --pack) pack=yes; shift ;;
    --pack-only) pack=only; shift ;;
    --limit) limit=$2; shift 2 ;;
    --quick) quick=--quick; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
mkdir -p "$out"
out=$(cd "$out" && pwd)
log="$out/run.log"
summary="$out/summary.md"
: > "$log"
start=$(date +%s)
say() { echo "[$(( $(date +%s) - start )) s] $*" | tee -a "$log"; }
has_sdk() { command -v dotnet >/dev/null 2>&1 && [ -n "$(dotnet --list-sdks 2>/dev/null)" ]; }

pack_device() {
  local packer=${PACK_SH:-"$root/../shared/device/pack.sh"}
  [ -x "$packer" ] || [ -f "$packer" ] || { say "pack: $packer not found (set PACK_SH)"; return 1; }
  if [ -f .git ]; then
    # A git worktree: .git is a file, so pack.sh's exclude line would fail; .device/ is in .gitignore already.
    sed '/\.git\/info\/exclude/d' "$packer" > "$out/.pack.sh"
    packer="$out/.pack.sh"
  fi
  say "pack: $packer src/NeuralShield.Cli/NeuralShield.Cli.csproj"
  bash "$packer" src/NeuralShield.Cli/NeuralShield.Cli.csproj 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] && [ -f .device/run.sh ] || return 1
  rm -f "$out/.pack.sh"
  say "pack: publishing tests/NeuralShield.Cuda.Tests into .device/tests"
  dotnet publish tests/NeuralShield.Cuda.Tests/NeuralShield.Cuda.Tests.csproj -c Release -r linux-x64 --self-contained false \
    -o .device/tests -p:UseAppHost=false >> "$log" 2>&1 || { say "pack: publishing the tests failed"; return 1; }
  # the same pruning as pack.sh: libtorch comes from the GPU machine's PyTorch
  find .device/tests -name 'libtorch*' -delete -o -name 'libc10*' -delete -o -name 'libgomp*' -delete \
    -o -name 'libshm*' -delete -o -name 'lib*backend*.so' -delete -o -name 'libaoti*' -delete \
    -o -name 'libnnapi*' -delete -o -name 'libjitbackend*' -delete -o -name 'libtorchbind*' -delete
  for d in .device/tests/runtimes/*; do [ "$(basename "$d")" = linux-x64 ] || rm -rf "$d"; done
  rm -rf .device/tests/cpu
  rm -rf .device/tests/CodeCoverage .device/tests/macos .device/tests/win* .device/tests/arm64 .device/tests/x86
  # ONNX Runtime (29 MB) is the CPU-only OnnxClassifier's; nothing measured here loads it, and .device must stay under 64 MiB.
  find .device -name 'libonnxruntime*' -delete
  # Files the tests share with the CLI travel once: listed in tests/.from-app and copied back before the tests run.
  (cd .device/tests && find . -type f | while read -r f; do
     if [ -f "../app/$f" ] && cmp -s "$f" "../app/$f"; then rm "$f"; echo "$f"; fi
   done > .from-app)
  sed -e 's#\$here/app/NeuralShield.Cli.dll#$here/tests/NeuralShield.Cuda.Tests.dll#' \
      -e 's#^exec #(cd "$here/tests" \&\& while read -r f; do [ -f "$f" ] || { mkdir -p "$(dirname "$f")"; cp "$here/app/$f" "$f"; }; done < .from-app)\nexec #' \
      .device/run.sh > .device/run-tests.sh
  chmod +x .device/run-tests.sh
  say "pack: $(du -sh .device | cut -f1) in .device (the device run carries at most 64 MiB)"
}

if [ "$pack" = yes ] || [ "$pack" = only ] || { [ ! -f .device/run.sh ] && [ "$device" = cuda ] && has_sdk; }; then
  pack_device || { say "packing failed"; exit 1; }
fi
[ "$pack" = only ] && exit 0

# Which programs run: the packed ones on the GPU machine (no SDK), the local Release build with --device cpu here.
if [ "$device" = cpu ] && has_sdk; then
  cli_dll=src/NeuralShield.Cli/bin/Release/net10.0/NeuralShield.Cli.dll
  tests_dll=tests/NeuralShield.Cuda.Tests/bin/Release/net10.0/NeuralShield.Cuda.Tests.dll
  if [ ! -f "$cli_dll" ] || [ ! -f "$tests_dll" ]; then
    say "building the Release outputs"
    dotnet build NeuralShield.sln -c Release >> "$log" 2>&1 || { say "build failed"; exit 1; }
  fi
  cli="dotnet $root/$cli_dll"
  tests="dotnet $root/$tests_dll"
  cpu_threads=${CPU_THREADS:-1}
else
  [ -f .device/run.sh ] && [ -f .device/run-tests.sh ] || { say "no .device/ here: run benchmarks/gpu/run.sh X --pack-only where the .NET SDK is, and carry .device"; exit 1; }
  cli="bash $root/.device/run.sh"
  tests="bash $root/.device/run-tests.sh"
  cpu_threads=${CPU_THREADS:-$(nproc)}
fi
python=${PYTHON:-}
if [ -z "$python" ]; then
  for candidate in python3 /usr/bin/python3; do
    if "$candidate" -c 'import torch' >/dev/null 2>&1; then python=$candidate; break; fi
  done
fi

# Each step gets its share of what is left of the limit.
left() { echo $(( limit - ($(date +%s) - start) )); }
share() { local s=$(( $(left) * $1 / 100 )); [ "$s" -lt 10 ] && s=10; echo "$s"; }
step() { # step NAME SECONDS command...
  local name=$1 seconds=$2; shift 2
  say "$name: up to ${seconds} s: $*"
  timeout --kill-after=10 "$seconds" "$@" >> "$log" 2>&1
  local rc=$?
  [ $rc -eq 124 ] && say "$name: stopped at its time limit" || say "$name: exit code $rc"
  return $rc
}

{
  echo "# GPU run, $(date -u +%Y-%m-%d), device $device"
  echo
  echo '```'
  (nvidia-smi --query-gpu=name,memory.total,memory.free,driver_version --format=csv,noheader 2>/dev/null || echo "no nvidia-smi")
  echo "$(nproc) CPU cores; CPU bench threads $cpu_threads; python: ${python:-none} $(${python:-false} -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())' 2>/dev/null)"
  echo '```'
} > "$summary"

step "CUDA tests" "$(share 20)" $tests --json "$out/cuda_tests.json"
{ echo; echo "## CUDA tests"; echo; echo '```'; grep -E '^(PASS|FAIL|SKIP|[0-9]+ tests)' "$log" | tail -20; echo '```'; } >> "$summary"

if [ "$device" = cuda ]; then
  step "bench cuda" "$(share 30)" $cli bench --all --device cuda --threads 1 $quick --json "$out/bench_cuda.json" --markdown "$out/.bench_cuda.md"
  { echo; echo "## bench --all --device cuda"; echo; cat "$out/.bench_cuda.md" 2>/dev/null || echo "(no result)"; } >> "$summary"
  step "jsma-224 cuda" "$(share 15)" $cli bench jsma-224 --device cuda --threads 1
  { echo; echo "## bench jsma-224 --device cuda"; echo; echo '```'; grep -E 'JSMA-|features,' "$log" | tail -4; echo '```'; } >> "$summary"
fi

step "bench cpu" "$(share 45)" $cli bench --all --device cpu --threads "$cpu_threads" $quick --json "$out/bench_cpu.json" --markdown "$out/.bench_cpu.md"
{ echo; echo "## bench --all --device cpu ($cpu_threads threads)"; echo; cat "$out/.bench_cpu.md" 2>/dev/null || echo "(no result)"; } >> "$summary"

if [ -n "$python" ]; then
  mkdir -p "$out/.side"
  step "side by side" "$(( $(left) - 5 ))" "$python" benchmarks/reference/side_by_side.py "$out/.side" --device "$device" --rounds "${ROUNDS:-3}" --threads 1 $quick --cli "$cli"
  cp "$out/.side/side_by_side.json" "$out/side_by_side.json" 2>/dev/null
  { echo; echo "## PyTorch side by side ($device)"; echo; cat "$out/.side/side_by_side.md" 2>/dev/null || echo "(no result)"; } >> "$summary"
else
  say "side by side: no python3 with torch found; skipped"
fi
rm -rf "$out/.side" "$out/.bench_cuda.md" "$out/.bench_cpu.md"
say "done in $(( $(date +%s) - start )) s; files: $(ls "$out" | tr '\n' ' ')"
