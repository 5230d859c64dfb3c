#!/usr/bin/env bash
# Prints the closing line CI reads, "N passed, N failed, N skipped", from the TRX files of a test run.
set -euo pipefail
dir=${1:-TestResults}
passed=0 failed=0 skipped=0
shopt -s nullglob
files=("$dir"/*.trx)
if [[ ${#files[@]} -eq 0 ]]; then
  echo "no test results in $dir" >&2
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
for f in "${files[@]}"; do
  counters=$(grep -o '<Counters [^>]*>' "$f" | head -n 1)
  get() { sed -nE "s/.* $1=\"([0-9]+)\".*/\1/p" <<<"$counters"; }
  total=$(get total); executed=$(get executed); p=$(get passed); fl=$(get failed)
  er=$(get error); to=$(get timeout); ab=$(get aborted)
  passed=$((passed + p))
  failed=$((failed + fl + er + to + ab))
  skipped=$((skipped + total - executed))
done
# Each kube-apiserver that panicked or faulted during the run left its log here (TestBed/ControlPlane.cs):
# a failure of the run however the tests ended, since everything after the fault is suspect.
for lines in "$dir"/controlplane-fault-*.txt; do
  echo "FAILED: kube-apiserver panicked or faulted during this run; its log is kept in ${lines%.txt}.log:" >&2
  cat "$lines" >&2
  failed=$((failed + 1))
done
echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
