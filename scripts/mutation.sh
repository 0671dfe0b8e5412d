#!/usr/bin/env bash
# Mutation test of one library folder against its own tests (dotnet-stryker, restored from the repository's tool
# manifest): ./scripts/mutation.sh Privacy | Metrics | Attacks/Core
# Mutates src/NeuralShield/FOLDER/*.cs, runs only the tests under tests/NeuralShield.Tests/FOLDER for each mutant,
# one test process at a time (CONCURRENCY overrides), and prints the score. The report (HTML, JSON) goes to
# artifacts/mutation/FOLDER. Not part of CI: each folder takes minutes to tens of minutes on two cores.
# The score counts every mutant; docs/testing.md lists the equivalent ones and the score without them.
set -euo pipefail
cd "$(dirname "$0")/.."
folder="${1:?usage: scripts/mutation.sh FOLDER (Privacy, Metrics or Attacks/Core)}"
folder="${folder%/}"
if [[ ! -d "src/NeuralShield/$folder" || ! -d "tests/NeuralShield.Tests/$folder" ]]; then
  echo "No folder src/NeuralShield/$folder with tests in tests/NeuralShield.Tests/$folder." >&2
  exit 2
fi
namespace="NeuralShield.Tests.${folder//\//.}"
output="$PWD/artifacts/mutation/${folder//\//-}"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
dotnet tool restore >/dev/null
cd tests/NeuralShield.Tests
dotnet dotnet-stryker \
  --project NeuralShield.csproj \
  --mutate "**/src/NeuralShield/$folder/*.cs" \
  --test-case-filter "FullyQualifiedName~$namespace." \
  --concurrency "${CONCURRENCY:-1}" \
  --reporter Progress --reporter ClearText --reporter Json --reporter Html \
  --output "$output" \
  --skip-version-check
report="$output/reports/mutation-report.json"
python3 - "$report" "$folder" <<'PY'
import json, sys
report = json.load(open(sys.argv[1], encoding="utf-8"))
counts = {}
for path, f in report["files"].items():
    for m in f["mutants"]:
        counts[m["status"]] = counts.get(m["status"], 0) + 1
killed = counts.get("Killed", 0) + counts.get("Timeout", 0)
valid = killed + counts.get("Survived", 0) + counts.get("NoCoverage", 0)
print(f"{sys.argv[2]}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
print(f"{sys.argv[2]}: mutation score {100 * killed / valid:.1f}% ({killed} of {valid} killed or timed out)")
PY
