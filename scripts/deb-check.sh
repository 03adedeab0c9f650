#!/usr/bin/env bash
# The .deb as a newcomer gets it: lintian (no errors), then `apt install ./claimx_*.deb` in a
# bare Debian 12 root (mmdebstrap minbase, nothing else installed), where the binary runs on a
# sample, its man pages and completions are in place and `apt` pulled its libraries.
# Needs root (chroot, mounts) and the network (apt). About 2 min + the build.
#   ./scripts/deb-check.sh [path/to/claimx_*.deb]     (default: builds it with scripts/deb.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
deb=${1:-$(./scripts/deb.sh | tail -n 1)}
deb=$(readlink -f "$deb")
echo "deb-check: $deb"

echo "deb-check: lintian"
lintian --fail-on error --display-level ">=warning" "$deb"

command -v mmdebstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq mmdebstrap >/dev/null; }
cache=${TMPDIR:-/tmp}/claimx-deb-check
base=$cache/deb12-minbase.tar
mkdir -p "$cache"
[ -s "$base" ] || mmdebstrap --format=tar --variant=minbase --include=ca-certificates bookworm "$base.part" >/dev/null 2>&1
[ -s "$base" ] || mv "$base.part" "$base"
root=$(mktemp -d /var/tmp/claimx-deb-XXXXXX)
cleanup() {
  for m in dev sys proc; do umount -R -l "$root/$m" 2>/dev/null || true; done
  mountpoint -q "$root/dev" || mountpoint -q "$root/proc" || rm -rf "$root"
}
trap cleanup EXIT
tar -xf "$base" -C "$root"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
cp "$deb" "$root/root/"
cp samples/trade-pact.txt "$root/root/article.txt"
for m in proc sys dev; do mount --rbind "/$m" "$root/$m"; mount --make-rslave "$root/$m"; done
echo "deb-check: apt install ./$(basename "$deb") in a bare Debian 12"
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
  chroot "$root" /bin/bash -euo pipefail -c '
    cd /root
    apt-get update -qq
    apt-get install -y -qq ./claimx_*.deb >/dev/null
    claimx --version
    out=$(claimx --compact article.txt)
    grep -q "\"figures\":\[{\"id\":\"f1\"" <<<"$out"
    grep -q "\"claims\":\[{\"id\":\"c1\"" <<<"$out"
    claimx --format tsv article.txt | head -n 1 | grep -q "^doc_id"
    claimx rules check
    for f in /usr/share/man/man1/claimx.1.gz /usr/share/man/man1/claimx-rules.1.gz \
             /usr/share/man/man1/claimx-serve.1.gz /usr/share/bash-completion/completions/claimx \
             /usr/share/zsh/vendor-completions/_claimx /usr/share/fish/vendor_completions.d/claimx.fish \
             /usr/share/claimx/claimx.schema.json /usr/share/doc/claimx/copyright; do
      test -s "$f" || { echo "missing: $f"; exit 1; }
    done
    echo "pulled in: $(dpkg-query -W -f="\${Depends}" claimx)"
    apt-get remove -y -qq claimx >/dev/null
    test ! -e /usr/bin/claimx  # removed cleanly
  '
echo "deb-check: passed"
