#!/usr/bin/env bash
# Installs the system packages odp's lab, tests and benchmarks need, only when something is missing.
# Idempotent and quiet when everything is present. Debian/Ubuntu (apt) only; needs root or sudo.
set -euo pipefail
need=()
command -v mariadbd >/dev/null 2>&1 || need+=(mariadb-server)
command -v mariadb >/dev/null 2>&1 || need+=(mariadb-client)
command -v sysbench >/dev/null 2>&1 || need+=(sysbench)
command -v socat >/dev/null 2>&1 || need+=(socat)
[ -x /usr/share/mysql/mysql-test/mariadb-test-run ] || need+=(mariadb-test)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# The seekdb suite (the real OceanBase kernel, lab/seekdb/install.sh) needs python3 >= 3.11 with venv.
command -v python3 >/dev/null 2>&1 || need+=(python3)
python3 -c 'import ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
[ ${#need[@]} -eq 0 ] && exit 0
echo "odp: installing system packages: ${need[*]}" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "odp: need root (or sudo) to install: ${need[*]}" >&2; exit 1; }
  SUDO=sudo
fi
command -v apt-get >/dev/null 2>&1 || { echo "odp: apt-get not found; install by hand: ${need[*]}" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
# Never let the package start a system-wide server: the lab starts its own, on loopback, under .lab/.
if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null; $SUDO chmod +x /usr/sbin/policy-rc.d; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "odp: system packages installed" >&2
