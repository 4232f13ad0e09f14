#!/bin/bash
# Build dist/baoan-<version>.pkg on a Mac, from the checkout:
#   1. PyInstaller, with the same spec as Windows (installers/windows/baoan.spec): one folder;
#   2. the payload: the app under /Library/Application Support/BaoAn/app, the LaunchDaemons
#      (agent, firewall) and the LaunchAgent (tray), the uninstaller;
#   3. pkgbuild with scripts/preinstall and scripts/postinstall.
# Needs: macOS, Python 3.11+ with the project installed (pip install -e .) and pyinstaller.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
[ "$(uname -s)" = Darwin ] || { echo "build.sh: build the macOS package on a Mac" >&2; exit 1; }
python=${PYTHON:-python3}
version=$(cd "$root" && "$python" -c 'from agent.version import version; print(version())')
build="$root/build/macos"
payload="$build/payload"
support="$payload/Library/Application Support/BaoAn"

rm -rf "$build"
"$python" -m PyInstaller --noconfirm --clean --distpath "$build/dist" --workpath "$build/work" \
    "$root/installers/windows/baoan.spec"

install -d "$support" "$payload/Library/LaunchDaemons" "$payload/Library/LaunchAgents"
cp -R "$build/dist/baoan" "$support/app"
install -m 0644 "$here/vn.baoan.agent.plist" "$here/vn.baoan.firewall.plist" \
    "$payload/Library/LaunchDaemons/"
install -m 0644 "$here/vn.baoan.tray.plist" "$payload/Library/LaunchAgents/"
install -m 0755 "$here/uninstall.sh" "$support/uninstall.sh"
chmod 0755 "$here/scripts/preinstall" "$here/scripts/postinstall"

mkdir -p "$root/dist"
pkgbuild --root "$payload" --identifier vn.baoan.pkg --version "$version" \
    --scripts "$here/scripts" --install-location / --ownership recommended \
    "$root/dist/baoan-$version.pkg"
echo "built $root/dist/baoan-$version.pkg"
