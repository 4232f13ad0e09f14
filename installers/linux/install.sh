#!/usr/bin/env bash
# Install Bảo An on a Linux PC (run as root): the agent service, the tray for every desktop
# session, and the PC's DNS through the agent. Usage: install.sh CHILD_NAME AGE OS_USER
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "install.sh: run as root" >&2; exit 1; }
[ $# -ge 3 ] || { echo "usage: install.sh CHILD_NAME AGE OS_USER" >&2; exit 2; }
baoan=$(command -v baoan || echo /usr/local/bin/baoan)
[ -x "$baoan" ] || { echo "install.sh: install the baoan package first (pip install .)" >&2; exit 1; }
[ "$baoan" = /usr/local/bin/baoan ] || ln -sf "$baoan" /usr/local/bin/baoan

install -d -m 0755 /etc/baoan
# The agent's data (every child's history, Help presses, the secrets) is root's alone; an
# existing folder is made so too, and the agent makes its files 0600 at start.
install -d -m 0700 -o root -g root /var/lib/baoan
if [ ! -f /etc/baoan/family.toml ]; then
    /usr/local/bin/baoan init --config /etc/baoan/family.toml --child "$1" --age "$2" --os-user "$3"
fi
install -m 0644 "$here/baoan-agent.service" /etc/systemd/system/baoan-agent.service
install -m 0644 "$here/baoan-tray.desktop" /etc/xdg/autostart/baoan-tray.desktop
systemctl daemon-reload
systemctl enable --now baoan-agent.service
if systemctl is-active --quiet systemd-resolved; then
    install -d /etc/systemd/resolved.conf.d
    install -m 0644 "$here/resolved-baoan.conf" /etc/systemd/resolved.conf.d/baoan.conf
    systemctl restart systemd-resolved
fi
# The parent PIN is set here, as root (the owner of the agent's data): being at the PC is
# not proof of having set it up, so the dashboard cannot set a first PIN without a code.
pin_set=(/usr/local/bin/baoan pin set --config /etc/baoan/family.toml --data-dir /var/lib/baoan)
if [ -t 0 ]; then
    echo "Chọn mã PIN của cha mẹ (4–12 chữ số) / Choose the parent PIN (4 to 12 digits):"
    if "${pin_set[@]}" --only-if-unset; then
        echo "Bảo An is installed. Open the dashboard: baoan dashboard"
    else
        echo "Bảo An is installed, with no parent PIN yet. Set it (as root): sudo ${pin_set[*]}"
    fi
else
    echo "Bảo An is installed. Set the parent PIN (as root): sudo ${pin_set[*]}"
fi
