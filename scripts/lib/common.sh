# Shared helpers for jxrp's scripts. Source it; it defines functions and sets JXRP_ROOT.
# shellcheck shell=bash

JXRP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export JXRP_ROOT

log() { printf '[jxrp] %s\n' "$*" >&2; }
die() { printf '[jxrp] error: %s\n' "$*" >&2; exit 1; }

# java_major HOME -> prints the feature version of the JDK at HOME (e.g. 25), or nothing
java_major() {
  local home="$1" v
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 1
  # the JDK's release file says it without starting a JVM (seconds in an emulated guest)
  v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9.]*\).*/\1/p' "$home/release" 2>/dev/null | head -n1)
  [ -n "$v" ] || v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1)
  [ -n "$v" ] || return 1
  printf '%s\n' "${v%%.*}"
}

# find_jdk: exports JAVA_HOME pointing at a JDK >= 25. JAVA_HOME first, then the usual locations.
find_jdk() {
  local want=25 cand m
  local -a cands=()
  [ -n "${JAVA_HOME:-}" ] && cands+=("$JAVA_HOME")
  for cand in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/java/* /usr/local/lib/jvm/* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    [ -d "$cand" ] && cands+=("$cand")
  done
  if command -v javac >/dev/null 2>&1; then
    cands+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for cand in "${cands[@]}"; do
    m=$(java_major "$cand" 2>/dev/null) || continue
    if [ -n "$m" ] && [ "$m" -ge "$want" ]; then
      JAVA_HOME="$(readlink -f "$cand")"
      export JAVA_HOME
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  die "no JDK >= $want found (looked at JAVA_HOME, /usr/lib/jvm, /opt, /usr/java, ~/.sdkman, ~/.jdks).
  Install one (e.g. Temurin 25: apt-get install temurin-25-jdk from the Adoptium repository) and set JAVA_HOME."
}

# ensure_packages CMD:PKG ... : installs missing Debian packages with apt when root, else says what to install.
# An entry is 'test-expression:package', where the test is a command name or a path prefixed with '/'.
ensure_packages() {
  local entry probe pkg
  local -a missing=()
  for entry in "$@"; do
    probe="${entry%%:*}"; pkg="${entry#*:}"
    if [[ "$probe" == /* ]]; then [ -e "$probe" ] && continue
    else command -v "$probe" >/dev/null 2>&1 && continue; fi
    missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${missing[*]} with apt-get"
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
           DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
      log "warning: apt-get could not install ${missing[*]}; the parts that need them will be skipped or fail"
    fi
  else
    log "warning: missing packages: ${missing[*]} (install them as root: apt-get install ${missing[*]})"
  fi
}

# build_packages: what the build and tests use. gcc + liburing build the shim; clang builds the
# eBPF storage functions; fio measures the device limit; e2fsprogs/util-linux give mkfs.ext4 and losetup;
# unzip unpacks the Maven that ./mvnw downloads.
ensure_build_packages() {
  ensure_packages gcc:gcc /usr/include/liburing.h:liburing-dev clang:clang fio:fio \
    unzip:unzip mkfs.ext4:e2fsprogs losetup:mount
}

# mvnw ARGS...: Maven through the repository's wrapper (./mvnw), which runs the Maven version pinned in
# .mvn/wrapper/maven-wrapper.properties, downloaded from Maven Central into ~/.m2/wrapper on first use
# (checksum verified; needs unzip). The distribution's Maven (Debian ships 3.8.7) is not used.
mvnw() {
  command -v unzip >/dev/null 2>&1 || die "unzip is not installed (./mvnw unpacks Maven with it): apt-get install unzip"
  "$JXRP_ROOT/mvnw" -B -Dstyle.color=never "$@"
}

mvn_cmd() {
  mvnw -q "$@"
}

# ---- one staleness check for every script ---------------------------------------------------------
# A full build (scripts/test without Maven arguments, or ensure_built) leaves target/build.stamp,
# dated when that build started. The build is stale when the stamp is missing, when an artifact a
# script needs is missing, or when a build input changed after it: a source file under a module's
# src/, a pom.xml, the wrapper's settings (.mvn/, mvnw) or the launcher template. Generated and built
# files (every target/ folder, JMH's generated sources among them), databases and results are not inputs.
BUILD_STAMP="$JXRP_ROOT/target/build.stamp"

# newer_build_input FILE: prints the first build input newer than FILE (nothing when there is none)
newer_build_input() {
  find "$JXRP_ROOT" \( -name target -o -name .git -o -path "$JXRP_ROOT/data" -o -path "$JXRP_ROOT/results" \) -prune -o \
    -type f \( -path "$JXRP_ROOT/*/src/*" -o -name pom.xml -o -path "$JXRP_ROOT/.mvn/*" -o -path "$JXRP_ROOT/mvnw" \
    -o -path "$JXRP_ROOT/scripts/lib/make-launcher.sh" \) -newer "$1" -print -quit
}

# build_stale ARTIFACT...: prints why the build is stale, nothing when it is current
build_stale() {
  local a newer
  [ -f "$BUILD_STAMP" ] || { echo "no full build yet (no target/build.stamp)"; return; }
  for a in "$@"; do
    [ -e "$a" ] || { echo "${a#"$JXRP_ROOT"/} is missing"; return; }
  done
  newer=$(newer_build_input "$BUILD_STAMP")
  [ -z "$newer" ] || echo "${newer#"$JXRP_ROOT"/} changed since the last build"
}

# stamped_build MAVEN-ARGS...: runs ./mvnw with the arguments and, when it succeeds, stamps the build
# with the time it started (an input edited during the build stays newer than the stamp)
stamped_build() {
  local started
  mkdir -p "$JXRP_ROOT/target"
  started=$(mktemp "$JXRP_ROOT/target/.build-started.XXXXXX")
  if (cd "$JXRP_ROOT" && mvnw "$@"); then
    mv -f "$started" "$BUILD_STAMP"
  else
    rm -f "$started"
    return 1
  fi
}

# ensure_built REBUILD ARTIFACT...: builds (./mvnw package, tests skipped) when REBUILD is 1 or the
# build is stale, saying why
ensure_built() {
  local rebuild="$1" why
  shift
  if [ "$rebuild" = 1 ]; then why="--rebuild"; else why=$(build_stale "$@"); fi
  [ -n "$why" ] || return 0
  ensure_build_packages
  find_spdk
  log "building jxrp ($why): ./mvnw package, tests skipped (./scripts/test runs them)"
  stamped_build -q package -DskipTests || die "the build failed; run ./scripts/test to see why"
}

# find_spdk: exports SPDK_DIR when an SPDK build is found (SPDK_DIR as given, else an install prefix
# or tree under /usr/local, /opt/spdk, /opt/spdk*), so the Maven build makes libjxrp_spdk.so and the
# SPDK tests run; says so either way. A given SPDK_DIR that holds no SPDK is an error.
spdk_pc_dir() {
  local dir="$1"
  if [ -f "$dir/build/lib/pkgconfig/spdk_nvme.pc" ]; then printf '%s\n' "$dir/build/lib/pkgconfig"
  elif [ -f "$dir/lib/pkgconfig/spdk_nvme.pc" ]; then printf '%s\n' "$dir/lib/pkgconfig"
  else return 1; fi
}
find_spdk() {
  local cand
  if [ -n "${SPDK_DIR:-}" ]; then
    spdk_pc_dir "$SPDK_DIR" >/dev/null || die "SPDK_DIR=$SPDK_DIR holds neither an SPDK tree after make (build/lib/pkgconfig) nor an install prefix (lib/pkgconfig)"
    log "SPDK: $SPDK_DIR (SPDK_DIR)"
    return 0
  fi
  for cand in /usr/local /opt/spdk /opt/spdk*; do
    if [ -d "$cand" ] && spdk_pc_dir "$cand" >/dev/null; then
      export SPDK_DIR="$cand"
      log "SPDK: $SPDK_DIR (found; SPDK_DIR overrides)"
      return 0
    fi
  done
  if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists spdk_nvme; then
    log "SPDK: from pkg-config spdk_nvme"
    return 0
  fi
  log "SPDK: not found (SPDK_DIR, /usr/local, /opt/spdk*): libjxrp_spdk.so is not built and the SPDK tests skip"
}
