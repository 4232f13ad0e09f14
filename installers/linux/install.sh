#!/usr/bin/env bash
# Install Bảo An on a Linux PC (run as root) from this checkout: build the Debian package
# (build.sh) and install it with apt, whose maintainer scripts do the set-up (the agent's
# service, the tray for every desktop session, the PC's DNS, the browsers' policies and
# the firewall). Usage: install.sh CHILD_NAME AGE OS_USER
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "install.sh: run as root" >&2; exit 1; }
[ $# -ge 3 ] || { echo "usage: install.sh CHILD_NAME AGE OS_USER" >&2; exit 2; }

deb=$("$here/build.sh")
BAOAN_CHILD_NAME=$1 BAOAN_CHILD_AGE=$2 BAOAN_CHILD_ACCOUNT=$3 \
    DEBIAN_FRONTEND=noninteractive apt-get install -y "$deb"

# The parent PIN is set here, as root (the owner of the agent's data): being at the PC is
# not proof of having set it up, so the dashboard cannot set a first PIN without a code.
pin_set=(/opt/baoan/bin/baoan pin set --config /etc/baoan/family.toml --data-dir /var/lib/baoan)
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
