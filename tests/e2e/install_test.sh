#!/usr/bin/env bash
# `cmake --install` into a scratch prefix puts every file in its FHS place, and what it installed
# works from there: the binary, `man` on the installed pages, the Python module.
# Usage: install_test.sh BUILD_DIR
set -euo pipefail
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
status=0
for f in bin/claimx share/man/man1/claimx.1.gz share/man/man1/claimx-rules.1.gz \
         share/man/man1/claimx-serve.1.gz share/bash-completion/completions/claimx \
         share/zsh/site-functions/_claimx share/fish/vendor_completions.d/claimx.fish \
         share/claimx/claimx.schema.json share/doc/claimx/copyright share/doc/claimx/changelog.gz; do
  [ -s "$prefix/$f" ] || { echo "install: $f missing"; status=1; }
done
[ -x "$prefix/bin/claimx" ] || { echo "install: bin/claimx is not executable"; status=1; }
echo "Exports rose 5% to \$3 million." | "$prefix/bin/claimx" --compact | grep -q '"value":3000000' \
  || { echo "install: the installed binary gave no figure"; status=1; }
if command -v man >/dev/null; then
  MANPATH="$prefix/share/man" man -w claimx-serve | grep -q "^$prefix/share/man/man1/claimx-serve.1.gz$" \
    || { echo "install: man does not find claimx-serve in the prefix"; status=1; }
  MANPATH="$prefix/share/man" MANWIDTH=80 man claimx 2>/dev/null | grep -q "checkable facts" \
    || { echo "install: man claimx does not render"; status=1; }
fi
module=$(find "$prefix" -path '*dist-packages/claimx/__init__.py' | head -n 1)
if [ -n "$module" ]; then
  PYTHONPATH=$(dirname "$(dirname "$module")") /usr/bin/python3 -c \
    'import claimx; assert claimx.extract("Exports rose 5%.")["figures"][0]["value"] == 5' \
    || { echo "install: the installed Python module does not work"; status=1; }
fi
[ $status -eq 0 ] && echo "install: $(find "$prefix" -type f | wc -l) files in place, binary, man pages and module work"
exit $status
