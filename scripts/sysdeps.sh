#!/usr/bin/env bash
# System packages the tests need: Debian chromium (browser tests, kaleido exports), CJK fonts (Chinese in
# screenshots and exported files), poppler (PDF checks), PostgreSQL (scenario-store tests), HAProxy (make serve,
# the load test through the proxy).
# Installs only what is missing, only as root; otherwise says what is missing and the tests that need it skip.
set -u
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "sysdeps: installing ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "sysdeps: missing ${need[*]} (run as root, or install them); tests that need them will skip"
fi
exit 0
