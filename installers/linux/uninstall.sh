#!/usr/bin/env bash
# Remove Bảo An's service, tray autostart and DNS setting (run as root). The family's
# policy in /etc/baoan and data in /var/lib/baoan stay unless --purge is given.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "uninstall.sh: run as root" >&2; exit 1; }
systemctl disable --now baoan-agent.service 2>/dev/null || true
rm -f /etc/systemd/system/baoan-agent.service /etc/xdg/autostart/baoan-tray.desktop
if [ -f /etc/systemd/resolved.conf.d/baoan.conf ]; then
    rm -f /etc/systemd/resolved.conf.d/baoan.conf
    systemctl restart systemd-resolved || true
fi
rm -rf /run/baoan
systemctl daemon-reload
if [ "${1:-}" = "--purge" ]; then
    rm -rf /etc/baoan /var/lib/baoan
fi
echo "Bảo An is removed."
