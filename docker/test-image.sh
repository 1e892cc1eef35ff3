#!/usr/bin/env bash
# Offline smoke test of a built executor image (used by `make test`): clones a throwaway local
# repository mounted into the container and checks output and exit codes. Needs docker and git.
set -euo pipefail
image="${1:?usage: test-image.sh IMAGE}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

git -c init.defaultBranch=main init -q "$tmp/work"
printf 'hello from the repo\n' >"$tmp/work/hello.txt"
git -C "$tmp/work" add hello.txt
git -C "$tmp/work" -c user.name=t -c user.email=t@t commit -qm init
git clone -q --bare "$tmp/work" "$tmp/repo.git"
# owned by the image's user, or git refuses it as a repository of someone else's (safe.directory)
chown -R "$(docker run --rm --entrypoint id "$image" -u)" "$tmp/repo.git"

# run EXPECTED_CODE COMMAND [docker args...]: runs the image on the mounted repository
run() {
  local want="$1" cmd="$2" code=0
  shift 2
  docker run --rm -v "$tmp/repo.git:/src/repo.git:ro" -e REPO_URL=/src/repo.git -e REPO_BRANCH=main \
    -e USER_COMMAND="$cmd" "$@" "$image" >"$tmp/out" 2>"$tmp/err" || code=$?
  if [ "$code" != "$want" ]; then
    echo "make test: FAILED: \"$cmd\" exited $code, expected $want" >&2
    cat "$tmp/out" "$tmp/err" >&2
    exit 1
  fi
}

run 0 'cat hello.txt'
grep -qx 'hello from the repo' "$tmp/out" || { echo "make test: FAILED: unexpected output" >&2; cat "$tmp/out" >&2; exit 1; }
run 7 'exit 7'
run 124 'sleep 30' -e TIMEOUT_SECONDS=1 -e KILL_GRACE_SECONDS=1
run 79 'true' -e REPO_BRANCH=no-such-branch
echo "make test: passed ($image: output, exit code, timeout, clone failure)"
