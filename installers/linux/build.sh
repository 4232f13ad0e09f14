#!/usr/bin/env bash
# Build the Debian package dist/baoan_<version>_<arch>.deb from this checkout: the app in
# its own virtual environment under /opt/baoan (made with the system's python3, which the
# package depends on), the agent's systemd unit, the tray's XDG autostart entry, and the
# maintainer scripts that set up and give back the PC's DNS, browser policies and firewall
# through `baoan system`.
#
# Settings (environment): BAOAN_DIST (output folder, default <checkout>/dist),
# BAOAN_DEB_COMPRESSION (xz by default; none, gzip or zstd build faster),
# BAOAN_PYTHON (default /usr/bin/python3: the interpreter the package runs on).
# Needs dpkg-deb and python3-venv. Dependencies come from pip's
# usual sources (PIP_FIND_LINKS, the cache, the index).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
checkout=$(cd "$here/../.." && pwd)
dist=${BAOAN_DIST:-$checkout/dist}
compression=${BAOAN_DEB_COMPRESSION:-xz}
python=${BAOAN_PYTHON:-/usr/bin/python3}
final=/opt/baoan

for tool in dpkg-deb "$python"; do
    command -v "$tool" >/dev/null || { echo "build.sh: $tool is needed" >&2; exit 1; }
done
version=$("$python" -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$checkout/pyproject.toml")
py_version=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
py_next=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1] + 1}")')
arch=$(dpkg --print-architecture)

work=$(mktemp -d "${TMPDIR:-/tmp}/baoan-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
package=$work/package
venv=$package$final

# The checkout's files as they are (committed or not, never what git ignores), so that
# building leaves the checkout untouched.
mkdir -p "$work/source"
if git -C "$checkout" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$checkout" && git ls-files -z --cached --others --exclude-standard) \
        | (cd "$checkout" && xargs -0 cp --parents -t "$work/source" 2>/dev/null || true)
else  # an unpacked source archive
    tar -C "$checkout" --exclude=./.venv --exclude=./dist --exclude=./build -cf - . \
        | tar -C "$work/source" -xf -
fi
[ -f "$work/source/pyproject.toml" ] || { echo "build.sh: cannot copy the checkout" >&2; exit 1; }

echo "build.sh: the app and its dependencies into $final (Python $py_version)" >&2
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --no-compile "$work/source"
"$venv/bin/python" -m pip uninstall --quiet --yes pip setuptools >/dev/null 2>&1 || true
rm -f "$venv"/bin/pip* "$venv"/bin/Activate.ps1
# It would name the temporary copy the app was installed from.
rm -f "$venv"/lib/python*/site-packages/baoan-*.dist-info/direct_url.json
# The environment was made at $venv; it runs at $final.
grep -rlI --null -e "$venv" "$venv" | xargs -0 -r sed -i "s|$venv|$final|g"
# Compiled once here, as $final: root's service cannot write under /opt at run time.
"$venv/bin/python" -m compileall -q -j 0 -s "$package" -p / "$venv/lib" >/dev/null || true

install -d "$package/usr/bin"
ln -s "$final/bin/baoan" "$package/usr/bin/baoan"
install -D -m 0644 "$here/baoan-agent.service" "$package/usr/lib/systemd/system/baoan-agent.service"
install -D -m 0644 "$here/baoan-tray.desktop" "$package/etc/xdg/autostart/baoan-tray.desktop"
install -D -m 0644 "$here/baoan-dashboard.desktop" \
    "$package/usr/share/applications/baoan-dashboard.desktop"
install -D -m 0644 "$checkout/README.md" "$package/usr/share/doc/baoan/README.md"
install -D -m 0644 "$checkout/installers/README.md" "$package/usr/share/doc/baoan/installers.md"

install -d -m 0755 "$package/DEBIAN"
for script in postinst prerm postrm; do
    install -m 0755 "$here/debian/$script" "$package/DEBIAN/$script"
done
echo /etc/xdg/autostart/baoan-tray.desktop > "$package/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$package" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@SIZE@|$size|" \
    -e "s|@PYTHON@|$py_version|g" -e "s|@PYTHON_NEXT@|$py_next|g" \
    "$here/debian/control.in" > "$package/DEBIAN/control"

mkdir -p "$dist"
deb=$dist/baoan_${version}_${arch}.deb
# Every file root's, whoever builds (no fakeroot needed).
dpkg-deb --root-owner-group -Z"$compression" --build "$package" "$deb" >/dev/null
echo "$deb"
