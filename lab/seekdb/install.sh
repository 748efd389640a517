#!/usr/bin/env bash
# Installs the seekdb server (the single-node OceanBase kernel) from PyPI into lab/seekdb/.venv.
# Idempotent: does nothing when the pinned version is already installed and runs.
# The wheel bundles the `seekdb` executable, libaio.so.1 and OpenSSL 1.1, so no apt package is needed
# on Debian 12; it needs Linux x86_64/aarch64 with glibc >= 2.28 (manylinux_2_28) and python >= 3.11.
# The PyPI name `seekdb` only has a pre-release (1.4.0.dev2); `pylibseekdb` carries the releases.
set -euo pipefail
PKG=pylibseekdb
VERSION=1.4.0.post1
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
fail() { echo "seekdb install: $*" >&2; exit 1; }

[ "$(uname -s)" = Linux ] || fail "needs Linux (this is $(uname -s))"
case "$(uname -m)" in x86_64|aarch64) ;; *) fail "needs x86_64 or aarch64 (this is $(uname -m))" ;; esac
glibc="$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')" || true
[ -n "$glibc" ] || fail "needs glibc >= 2.28 (musl/unknown libc found)"
[ "$(printf '%s\n2.28\n' "$glibc" | sort -V | head -1)" = 2.28 ] || fail "needs glibc >= 2.28 (found $glibc)"
PY="${PYTHON:-python3}"
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null \
  || fail "needs python >= 3.11 as \$PYTHON or python3"

bin_path() { "$venv/bin/python" -c "import importlib.util as u, os; print(os.path.join(u.find_spec('$PKG').submodule_search_locations[0], 'seekdb'))" 2>/dev/null; }

if [ -x "$venv/bin/python" ] && [ "$("$venv/bin/python" -m pip show "$PKG" 2>/dev/null | awk '/^Version:/{print $2}')" = "$VERSION" ]; then
  b="$(bin_path)"; [ -x "$b" ] && "$b" --version >/dev/null 2>&1 && { echo "$b"; exit 0; }
fi
[ -x "$venv/bin/python" ] || "$PY" -m venv "$venv" || fail "python venv creation failed (apt-get install python3-venv?)"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "$PKG==$VERSION" \
  || fail "pip install $PKG==$VERSION failed (no network to PyPI?)"
b="$(bin_path)"
[ -n "$b" ] && [ -f "$b" ] || fail "$PKG $VERSION has no seekdb executable"
chmod +x "$b"
out="$("$b" --version 2>&1)" || fail "seekdb executable does not run: $(echo "$out" | tail -1)"
echo "$b"
