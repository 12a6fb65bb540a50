#!/usr/bin/env bash
# Builds libjxrp_nvme.so from the C sources next to this script.
# Usage: build.sh <output dir (e.g. target/classes/linux-x86-64)> <object dir>
# Called by the Maven build (exec-maven-plugin, process-classes); usable by hand too.
set -euo pipefail

usage() {
  echo "usage: $(basename "$0") <output-dir> <object-dir>"
  echo "builds libjxrp_nvme.so (the io_uring shim) into <output-dir>; needs gcc and liburing-dev"
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

if ! command -v "$cc" >/dev/null 2>&1; then
  echo "build.sh: C compiler '$cc' not found: install it (Debian/Ubuntu: apt-get install gcc)" >&2
  exit 1
fi
if ! echo '#include <liburing.h>' | "$cc" -E -x c - >/dev/null 2>&1; then
  echo "build.sh: liburing.h not found: install liburing-dev (Debian/Ubuntu: apt-get install liburing-dev)" >&2
  exit 1
fi

mkdir -p "$out_dir" "$obj_dir"
cflags=(-std=gnu11 -O2 -g -Wall -Wextra -Werror -fvisibility=hidden -fPIC -D_GNU_SOURCE)

objs=()
for c_file in "$src_dir"/*.c; do
  obj="$obj_dir/$(basename "${c_file%.c}").o"
  "$cc" "${cflags[@]}" -c "$c_file" -o "$obj"
  objs+=("$obj")
done

# Static liburing when the archive is there: the jar then only needs libc at run time.
uring_static=""
for dir in $("$cc" -print-search-dirs | sed -n 's/^libraries: =//p' | tr ':' ' ') /usr/lib/x86_64-linux-gnu; do
  if [[ -f "$dir/liburing.a" ]]; then uring_static="$dir/liburing.a"; break; fi
done
if [[ -n "$uring_static" ]]; then
  # --exclude-libs: liburing's own symbols stay private to the shim (only jxrp_* are exported)
  link_uring=(-Wl,--exclude-libs,ALL "$uring_static")
else
  link_uring=(-luring)
fi

"$cc" -shared -fPIC -Wl,-z,defs -Wl,--as-needed -o "$out_dir/libjxrp_nvme.so" "${objs[@]}" "${link_uring[@]}" -lpthread
echo "build.sh: built $out_dir/libjxrp_nvme.so (liburing: ${uring_static:-dynamic})"
