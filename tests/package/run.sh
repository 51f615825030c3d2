#!/usr/bin/env bash
# Packs DeepTrain (and the deeptrain .NET tool) into a temporary local feed, builds and runs the consumer project
# in this folder against that feed (plus the default source, for the package's own dependencies), checks that it
# used the packed package and reached the expected accuracy, checks the package's contents, and installs and runs
# the tool. Usage: tests/package/run.sh [--no-tool]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
check_tool=1
[[ "${1:-}" == "--no-tool" ]] && check_tool=0

tmp="$(mktemp -d "${TMPDIR:-/tmp}/deeptrain-package.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
feed="$tmp/feed"
start=$SECONDS

step() { printf '\n== %s (%ds)\n' "$*" $((SECONDS - start)); }
fail() { echo "FAIL: $*" >&2; exit 1; }

step "pack DeepTrain into $feed"
dotnet pack "$root/src/DeepTrain/DeepTrain.csproj" -c Release -o "$feed" --nologo -v q
nupkg="$(ls "$feed"/DeepTrain.*.nupkg | grep -v '\.symbols\.' | head -n 1)"
version="$(basename "$nupkg" .nupkg)"; version="${version#DeepTrain.}"
[[ -f "$feed/DeepTrain.$version.snupkg" ]] || fail "no symbols package DeepTrain.$version.snupkg"
contents="$(unzip -Z1 "$nupkg")"
for f in README.md LICENSE lib/net10.0/DeepTrain.dll lib/net10.0/DeepTrain.xml; do
    grep -qx "$f" <<<"$contents" || fail "$f is missing from $(basename "$nupkg")"
done
unzip -Z1 "$feed/DeepTrain.$version.snupkg" | grep -qx lib/net10.0/DeepTrain.pdb || fail "DeepTrain.pdb is missing from the symbols package"
unzip -p "$nupkg" DeepTrain.nuspec | grep -q '<license type="expression">MIT</license>' || fail "the nuspec has no MIT licence expression"
unzip -p "$nupkg" DeepTrain.nuspec | grep -q '<readme>README.md</readme>' || fail "the nuspec names no readme"
echo "ok: DeepTrain $version with README.md, LICENSE, XML docs, MIT expression; symbols in the .snupkg"

step "restore and run the consumer against the local feed"
mkdir "$tmp/consumer"
cp "$here/PackageSmoke.csproj" "$here/Program.cs" "$tmp/consumer/"
# the local feed is added to the configured (default) sources; a private packages folder keeps a DeepTrain of the
# same version cached by an earlier run from being used
sources=(--source "$feed")
while read -r state url; do [[ "$state" == E* ]] && sources+=(--source "$url"); done < <(cd "$tmp" && dotnet nuget list source --format short)
dotnet restore "$tmp/consumer/PackageSmoke.csproj" --packages "$tmp/packages" "${sources[@]}" -p:DeepTrainVersion="$version" --nologo -v q
dotnet build "$tmp/consumer/PackageSmoke.csproj" -c Release --no-restore -p:DeepTrainVersion="$version" --nologo -v q -o "$tmp/consumer/out" >/dev/null
out="$(dotnet "$tmp/consumer/out/PackageSmoke.dll")" || { echo "$out"; fail "the consumer exited with an error (accuracy below 0.9?)"; }
echo "$out"
grep -q '^accuracy: ' <<<"$out" || fail "the consumer printed no accuracy"
grep -q "^deeptrain assembly: $tmp/consumer/out/DeepTrain.dll" <<<"$out" || fail "the consumer did not run the packed DeepTrain"
cmp -s "$tmp/consumer/out/DeepTrain.dll" "$tmp/packages/deeptrain/$version/lib/net10.0/DeepTrain.dll" || fail "DeepTrain.dll is not the packed one"

if (( check_tool )); then
    step "pack the deeptrain tool, install it from the feed, run --help"
    dotnet pack "$root/src/DeepTrain.Cli/DeepTrain.Cli.csproj" -c Release -o "$feed" --nologo -v q
    dotnet tool install --tool-path "$tmp/tool" --add-source "$feed" DeepTrain.Tool --version "$version" >/dev/null
    help="$("$tmp/tool/deeptrain" --help)" || { echo "$help"; fail "deeptrain --help failed"; }
    head -n 15 <<<"$help"
    grep -qi 'train' <<<"$help" || fail "deeptrain --help does not mention train"
fi

step "all package checks passed"
