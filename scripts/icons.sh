#!/usr/bin/env bash
# Renders icons/icon.svg into every size the bundler wants (RGBA PNGs).
# Needs Debian's imagemagick + librsvg2-bin. Run after editing icon.svg and commit the PNGs.
set -euo pipefail
cd "$(dirname "$0")/../icons"
render() { rsvg-convert -w "$1" -h "$1" icon.svg -o "$2"; /usr/bin/convert "$2" -define png:color-type=6 "$2"; }
render 32 32x32.png
render 128 128x128.png
render 256 128x128@2x.png
render 512 icon.png
for s in 16 24 48 64 256; do render $s "tmp-$s.png"; done
/usr/bin/convert tmp-16.png tmp-24.png 32x32.png tmp-48.png tmp-64.png tmp-256.png icon.ico
rm -f tmp-*.png
echo "icons written"
