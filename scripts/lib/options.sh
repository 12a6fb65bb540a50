# Option parsing and the defaults shared by jxrp's scripts, written once. Source it after common.sh.
# A script declares its options with `option`, then calls `parse_options PASS "$@"`; `print_options`
# prints them for its --help. With PASS=1, options the script does not declare (and everything after
# --) are collected in HARNESS_ARGS for the macro harness, which validates them and holds the matrix
# defaults (its presets: quick, bench, full); with PASS=0 they are an error.
# shellcheck shell=bash

JXRP_DEFAULT_DATA="$JXRP_ROOT/data"    # databases, bpfkv-<L>.db: the demo's, bench's and reproduce's names
JXRP_DEFAULT_OUT="$JXRP_ROOT/results"  # results/<host>-<timestamp>/
JXRP_DEFAULT_LAYERS=4                  # the demo's database, and the bench preset's

_opt_names=() _opt_vars=() _opt_types=() _opt_helps=() _opt_defaults=()
HARNESS_ARGS=()

# option NAME VAR TYPE DEFAULT HELP: declares --NAME, stored in VAR (set to DEFAULT now).
# TYPE: flag (VAR=1 when given), count (a whole number >= 1), path, text.
option() {
  _opt_names+=("$1") _opt_vars+=("$2") _opt_types+=("$3") _opt_defaults+=("$4") _opt_helps+=("$5")
  printf -v "$2" '%s' "$4"
}

# print_options: the declared options, one per line, with their defaults
print_options() {
  local i label
  for i in "${!_opt_names[@]}"; do
    case "${_opt_types[$i]}" in
      flag) label="${_opt_names[$i]}";;
      count) label="${_opt_names[$i]} N";;
      path) label="${_opt_names[$i]} PATH";;
      *) label="${_opt_names[$i]} VALUE";;
    esac
    # the text wrapped at 100 columns, continuation lines under the first
    printf '%s%s\n' "${_opt_helps[$i]}" \
      "$([ -n "${_opt_defaults[$i]}" ] && [ "${_opt_types[$i]}" != flag ] && printf ' (default %s)' "${_opt_defaults[$i]#"$JXRP_ROOT"/}")" |
      fold -s -w 75 | sed 's/ *$//' | { IFS= read -r first; printf '  %-22s %s\n' "$label" "$first"; while IFS= read -r more; do printf '%25s%s\n' '' "$more"; done; }
  done
}

# parse_options PASS ARGS...: sets the declared variables; -h/--help calls the script's usage
parse_options() {
  local pass="$1" i found value
  shift
  while [ $# -gt 0 ]; do
    case "$1" in
      -h|--help) usage; exit 0;;
      --) shift; [ "$pass" = 1 ] || die "unexpected arguments after --: $*"; HARNESS_ARGS+=("$@"); break;;
    esac
    found=""
    for i in "${!_opt_names[@]}"; do
      if [ "$1" = "${_opt_names[$i]}" ] || [[ "$1" == "${_opt_names[$i]}="* ]]; then found=$i; break; fi
    done
    if [ -z "$found" ]; then
      [ "$pass" = 1 ] && [[ "$1" == --?* ]] || die "unknown argument '$1' (--help lists the options)"
      HARNESS_ARGS+=("$1")
      shift
      # its value, unless the option carries it (--x=v) or the next word is another option
      if [[ "${HARNESS_ARGS[-1]}" != *=* ]] && [ $# -gt 0 ] && [[ "$1" != --* ]]; then HARNESS_ARGS+=("$1"); shift; fi
      continue
    fi
    if [ "${_opt_types[$found]}" = flag ]; then
      [[ "$1" != *=* ]] || die "${_opt_names[$found]} takes no value"
      printf -v "${_opt_vars[$found]}" '%s' 1
      shift
      continue
    fi
    if [[ "$1" == *=* ]]; then value="${1#*=}"; shift
    else
      [ $# -ge 2 ] || die "${_opt_names[$found]} needs a value"
      value="$2"; shift 2
    fi
    case "${_opt_types[$found]}" in
      count) [[ "$value" =~ ^[0-9]+$ ]] && [ "$value" -ge 1 ] || die "${_opt_names[$found]} must be a whole number >= 1, not '$value'";;
      path|text) [ -n "$value" ] || die "${_opt_names[$found]} needs a non-empty value";;
    esac
    printf -v "${_opt_vars[$found]}" '%s' "$value"
  done
}

# harness_arg_given NAME: true when HARNESS_ARGS sets the harness option NAME
harness_arg_given() {
  local a
  for a in "${HARNESS_ARGS[@]}"; do
    [ "$a" = "$1" ] || [[ "$a" == "$1="* ]] && return 0
  done
  return 1
}

# harness COMMAND-LINE...: runs the macro harness from the benchmarks jar with JAVA_OPTS_HARNESS
harness() {
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED ${JAVA_OPTS_HARNESS:--Xms512m -Xmx512m} \
    -cp "$JXRP_ROOT/benchmarks/target/jxrp-benchmarks.jar" io.jxrp.bench.harness.Harness "$@"
}
