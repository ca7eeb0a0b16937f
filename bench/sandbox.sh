# bench/sandbox.sh - sourced by the benchmarks: a throwaway vpopmail and
# qmail home under /tmp (removed on exit) and the VPOPMAIL_* overrides
# that point the built programs at it.  Sets $b (build dir), $src, $sb, $doms.
# VPBENCH_DIR chooses the file system (default /tmp).
b=${1:-$(cd "$(dirname "$0")/.." && pwd)}
src=$(cd "$(dirname "$0")/.." && pwd)
sb=$(mktemp -d "${VPBENCH_DIR:-/tmp}/vpbench.XXXXXX")
trap 'rm -rf "$sb"' EXIT
# the build's domains directory (configure's --enable-domains-dir)
doms=$(sed -n 's/^#define DOMAINS_DIR "\(.*\)"$/\1/p' "$b/include/vpopmail_config.h" 2>/dev/null)
: "${doms:=domains}"
mkdir -p "$sb/vh/etc" "$sb/vh/$doms" "$sb/qh/users" "$sb/qh/control" "$sb/qh/bin"
cp "$src/etc/vlimits.default" "$sb/vh/etc/"
export VPOPMAIL_HOME=$sb/vh VPOPMAIL_QMAILDIR=$sb/qh VPOPMAIL_UID=$(id -u) VPOPMAIL_GID=$(id -g)
export VPOPMAIL_QMAIL_NEWU=$sb/qh/bin/none VPOPMAIL_QMAIL_NEWMRH=$sb/qh/bin/none VPOPMAIL_PS=/bin/false
