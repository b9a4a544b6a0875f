#!/usr/bin/env bash
# corpus/extract.sh OUTDIR GITDIR...: the feed and export test files of
# public repositories (each GITDIR a clone or bare repository), copied to
# OUTDIR/<name>/<path> for corpus/run.sh. A file is taken when its path
# names a test, fixture, spec, example, sample or data directory and it
# ends in .xml, .rss, .atom or .rdf. OUTDIR must be outside this
# repository: those files are other projects', never ours to commit.
set -u
OUT=${1:?usage: corpus/extract.sh OUTDIR GITDIR...}
shift
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$OUT"
case "$(cd "$OUT" && pwd)/" in
"$ROOT"/*) echo "corpus/extract.sh: $OUT is inside the repository" >&2; exit 2 ;;
esac
for g in "$@"; do
	name=$(basename "$(cd "$g" && pwd)" .git)
	[ "$name" = repo ] && name=$(basename "$(dirname "$(cd "$g" && pwd)")")
	git --git-dir="$g" rev-parse --git-dir >/dev/null 2>&1 ||
	    g="$g/.git"
	git --git-dir="$g" ls-tree -r --name-only HEAD |
	    grep -iE '(test|fixture|spec|example|sample|data)' |
	    grep -iE '\.(xml|rss|atom|rdf)$' |
	    while IFS= read -r p; do
		mkdir -p "$OUT/$name/$(dirname "$p")"
		# Large files kept out of the clone (LFS and the like) are
		# skipped, as git says.
		git --git-dir="$g" show "HEAD:$p" >"$OUT/$name/$p" 2>/dev/null ||
		    rm -f "$OUT/$name/$p"
	done
	echo "$name: $(find "$OUT/$name" -type f | wc -l) files"
done
