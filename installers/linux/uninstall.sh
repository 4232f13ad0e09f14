#!/usr/bin/env bash
# Remove Bảo An (run as root): the package's removal gives back the PC's DNS settings,
# takes out the browsers' policies and the firewall rules. The family's policy in
# /etc/baoan and the data in /var/lib/baoan stay unless --purge is given.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "uninstall.sh: run as root" >&2; exit 1; }
if [ "${1:-}" = "--purge" ]; then
    apt-get purge -y baoan
else
    apt-get remove -y baoan
fi
echo "Bảo An is removed."
