#!/bin/bash
# Remove Bảo An from this Mac (as root), only with the parent PIN: the DNS given back, the
# browser policies and firewall anchor removed, the agent and the trays stopped, the app
# deleted. The family's policy and data stay unless --purge is given.
set -euo pipefail
app="/Library/Application Support/BaoAn"
config="$app/family.toml"
data="$app/data"
baoan=/usr/local/bin/baoan
[ "$(id -u)" = 0 ] || { echo "uninstall.sh: run with sudo" >&2; exit 1; }

read -r -s -p "Mã PIN của cha mẹ / Parent PIN: " pin
echo
if ! printf '%s\n' "$pin" | "$baoan" pin verify --data-dir "$data"; then
    echo "Bảo An chưa được gỡ. / Bảo An stays." >&2
    exit 3
fi

"$baoan" system remove --config "$config" --data-dir "$data" || true
launchctl bootout system/vn.baoan.firewall 2>/dev/null || true
launchctl bootout system/vn.baoan.agent 2>/dev/null || true
for uid in $(ps -axo uid=,comm= | awk '$2 ~ /loginwindow$/ {print $1}' | sort -u); do
    launchctl bootout "gui/$uid/vn.baoan.tray" 2>/dev/null || true
done
rm -f /Library/LaunchDaemons/vn.baoan.agent.plist /Library/LaunchDaemons/vn.baoan.firewall.plist \
    /Library/LaunchAgents/vn.baoan.tray.plist "$baoan"
rm -rf "$app/app" "$app/uninstall.sh"
if [ "${1:-}" = "--purge" ]; then
    rm -rf "$app"
fi
pkgutil --forget vn.baoan.pkg >/dev/null 2>&1 || true
echo "Bảo An đã được gỡ. / Bảo An is removed."
