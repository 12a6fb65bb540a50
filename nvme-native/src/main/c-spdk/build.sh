#!/usr/bin/env bash
# Builds libjxrp_spdk.so (the SPDK shim) from the C sources next to this script, when SPDK is found:
#   SPDK_DIR  an SPDK source tree after `make` (build/lib/pkgconfig) or an install prefix (lib/pkgconfig)
#   else      `pkg-config spdk_nvme` (SPDK installed where pkg-config looks)
# Without SPDK it says so and succeeds: the io_uring shim never depends on this one.
# Usage: build.sh <output dir (e.g. target/classes/linux-x86-64)> <object dir>
# Called by the Maven build (exec-maven-plugin, process-classes); usable by hand too.
set -euo pipefail

usage() {
  echo "usage: $(basename "$0") <output-dir> <object-dir>"
  echo "builds libjxrp_spdk.so into <output-dir> when SPDK is found (SPDK_DIR, else pkg-config spdk_nvme)"
}
if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  usage
  exit 0
fi
if [[ $# -ne 2 ]]; then
  usage >&2
  exit 2
fi

src_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out_dir="$1"
obj_dir="$2"
cc="${CC:-gcc}"

pc_path=""
if [[ -n "${SPDK_DIR:-}" ]]; then
  for candidate in "$SPDK_DIR/build/lib/pkgconfig" "$SPDK_DIR/lib/pkgconfig"; do
    if [[ -f "$candidate/spdk_nvme.pc" ]]; then pc_path="$candidate"; break; fi
  done
  if [[ -z "$pc_path" ]]; then
    # A wrong SPDK_DIR is an error, not a reason to build without SPDK.
    echo "build.sh: SPDK_DIR=$SPDK_DIR has no build/lib/pkgconfig/spdk_nvme.pc (an SPDK tree after make)" \
      "nor lib/pkgconfig/spdk_nvme.pc (an install prefix)" >&2
    exit 1
  fi
elif ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists spdk_nvme; then
  rm -f "$out_dir/libjxrp_spdk.so"
  echo "build.sh: SPDK not found, libjxrp_spdk.so not built (set SPDK_DIR to an SPDK tree or install prefix)"
  exit 0
fi

pc() { PKG_CONFIG_PATH="$pc_path${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}" pkg-config "$@"; }
modules=(spdk_nvme spdk_env_dpdk spdk_sock_modules)
read -r -a spdk_cflags <<<"$(pc --cflags "${modules[@]}")"
read -r -a spdk_libs <<<"$(pc --libs "${modules[@]}") $(pc --libs spdk_syslibs)"
# rpath to every library directory SPDK names, so the shim loads without LD_LIBRARY_PATH
rpaths=()
for flag in "${spdk_libs[@]}"; do
  if [[ "$flag" == -L* && -d "${flag#-L}" ]]; then rpaths+=("-Wl,-rpath,${flag#-L}"); fi
done

mkdir -p "$out_dir" "$obj_dir"
cflags=(-std=gnu11 -O2 -g -Wall -Wextra -Werror -fvisibility=hidden -fPIC -D_GNU_SOURCE
        -I"$src_dir/../c" "${spdk_cflags[@]}")
objs=()
for c_file in "$src_dir"/*.c; do
  obj="$obj_dir/spdk_$(basename "${c_file%.c}").o"
  "$cc" "${cflags[@]}" -c "$c_file" -o "$obj"
  objs+=("$obj")
done
# --no-as-needed: SPDK's socket and transport modules register themselves from constructors, so
# libraries no symbol is taken from must still be loaded.
"$cc" -shared -fPIC -o "$out_dir/libjxrp_spdk.so" "${objs[@]}" -Wl,--no-as-needed "${spdk_libs[@]}" \
  -Wl,--disable-new-dtags "${rpaths[@]}"
echo "build.sh: built $out_dir/libjxrp_spdk.so against SPDK in $(pc --libs-only-L spdk_nvme) (spdk_nvme $(pc --modversion spdk_nvme))"
