#!/usr/bin/env bash
# Regenerates PublicAPI.Unshipped.txt of every project that sets <TrackPublicApi>true</TrackPublicApi>: builds them with
# the analyzer's findings as warnings, adds each public symbol the build reports as undeclared (RS0016) and drops each
# declared one that no longer exists (RS0017). Review the diff: it is the change to the packages' public surface.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
projects=$(grep -l '<TrackPublicApi>true</TrackPublicApi>' src/*/*.csproj)
for project in $projects; do
  dotnet build "$project" -c Release --no-incremental -p:TreatWarningsAsErrors=false -nologo -v:q -clp:NoSummary >> "$log" 2>&1 || true
done
python3 - "$log" $projects <<'PY'
import re, sys, os
log = open(sys.argv[1], encoding='utf-8').read().splitlines()
for project in sys.argv[2:]:
    folder = os.path.dirname(os.path.abspath(project))
    path = os.path.join(folder, 'PublicAPI.Unshipped.txt')
    lines = [l for l in open(path, encoding='utf-8').read().splitlines() if l.strip() and not l.startswith('#')]
    added, removed = set(), set()
    for line in log:
        if not line.rstrip().endswith('[' + os.path.abspath(project) + ']'):
            continue
        m = re.search(r"warning (RS001[67]): Symbol '(.*)' is (?:not part of the declared public API|part of the declared API, but)", line)
        if not m:
            continue
        (added if m.group(1) == 'RS0016' else removed).add(m.group(2))
    result = sorted((set(lines) | added) - removed, key=lambda s: s.lower())
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        f.write('#nullable enable\n')
        for entry in result:
            f.write(entry + '\n')
    print(f"{path}: {len(result)} entries (+{len(added)} -{len(removed)})")
PY
