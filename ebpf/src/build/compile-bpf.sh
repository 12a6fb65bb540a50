#!/usr/bin/env bash
# Compiles the ebpf module's BPF C test programs into target/bpf/*.o.
# Usage: compile-bpf.sh <source-dir> <include-dir> <output-dir>
# Without clang this prints why and exits 0: the tests that need the objects skip themselves; in CI
# (CI=true) it exits 1 instead, since CI must build and run them.
set -euo pipefail

if [[ "${1:-}" == "--help" || $# -ne 3 ]]; then
    echo "usage: $0 <source-dir> <include-dir> <output-dir>"
    echo "Compiles <source-dir>/*.c with clang -target bpf -O2 -g -mcpu=v3 into <output-dir>/*.o."
    [[ "${1:-}" == "--help" ]] && exit 0 || exit 2
fi
src=$1 include=$2 out=$3

clang=${CLANG:-clang}
if ! command -v "$clang" >/dev/null 2>&1; then
    if [[ "${CI:-}" == "true" ]]; then
        echo "[compile-bpf] clang ($clang) not found and CI=true: CI builds the BPF objects, install clang" >&2
        exit 1
    fi
    echo "[compile-bpf] clang not found: BPF objects not built; the tests that need them will be skipped"
    exit 0
fi
multiarch=$(gcc -dumpmachine 2>/dev/null || "$clang" -dumpmachine)

mkdir -p "$out"
shopt -s nullglob
for c in "$src"/*.c; do
    o="$out/$(basename "${c%.c}").o"
    if [[ "$o" -nt "$c" && "$o" -nt "$include/jxrp/bpf_helpers.h" && "$o" -nt "$include/jxrp/xrp.h" ]]; then
        continue
    fi
    "$clang" -target bpf -O2 -g -mcpu=v3 -Wall -Werror \
        -I"$include" -I"/usr/include/$multiarch" -c "$c" -o "$o"
    echo "[compile-bpf] $c -> $o"
done
