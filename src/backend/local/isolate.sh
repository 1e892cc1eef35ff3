#!/usr/bin/env bash
# mycli local runs: the first process in a run's own PID and mount namespaces (started by
# `unshare`, see isolation.ts), before the executor runs the command. It hides from the
# command what it must not see, then starts the executor without the power to undo that.
#
#   MYCLI_ISOLATE_HIDE   paths covered with an empty tmpfs (mycli's home), separated by
#                        newlines, parents before children
#   MYCLI_ISOLATE_KEEP   paths that stay visible where they are (the run's workspace, its
#                        home, its phase file), separated by newlines
#   MYCLI_ISOLATE_ENV    the file with the command's environment (NAME=value, each ended by
#                        NUL): handed on as an open descriptor, its path hidden
#   MYCLI_ISOLATE_IDS    uid:gid to run as when this runs as root of a user namespace of an
#                        unprivileged user; empty when mycli runs as real root
#   then: the executor's argv
#
# Exit 78 with one "mycli: ..." line when a step fails: the run is not started half-isolated.
set -u
msg_fd=2
[[ ${MYCLI_MESSAGE_FD-} =~ ^[0-9]{1,3}$ ]] && { true >&"$MYCLI_MESSAGE_FD"; } 2>/dev/null && msg_fd=$MYCLI_MESSAGE_FD
fail() {
  printf 'mycli: cannot isolate the run: %s\n' "$1" >&"$msg_fd"
  exit 78
}

declare -a keep=() fds=() hide=()
while IFS= read -r p; do [[ -n $p ]] && keep+=("$p"); done <<<"${MYCLI_ISOLATE_KEEP-}"
while IFS= read -r p; do [[ -n $p ]] && hide+=("$p"); done <<<"${MYCLI_ISOLATE_HIDE-}"

# Open what stays visible before anything is hidden: the descriptors still reach it afterwards.
for p in "${keep[@]}"; do
  exec {fd}<"$p" || fail "cannot open $p"
  fds+=("$fd")
done
env_fd=''
if [[ -n ${MYCLI_ISOLATE_ENV-} ]]; then
  exec {env_fd}<"$MYCLI_ISOLATE_ENV" || fail "cannot open $MYCLI_ISOLATE_ENV"
fi

for p in "${hide[@]}"; do
  # under a folder hidden already: gone with it
  [[ -d $p ]] || continue
  case $p in
    /tmp | /var/tmp | /dev/shm) mode=1777 ;;
    *) mode=0755 ;;
  esac
  mount -t tmpfs -o "mode=$mode" mycli-hidden "$p" || fail "cannot hide $p"
done

for i in "${!keep[@]}"; do
  p=${keep[i]}
  src=/proc/self/fd/${fds[i]}
  if [[ -d $src ]]; then
    mkdir -p -- "$p" 2>/dev/null
  elif [[ ! -e $p ]]; then
    mkdir -p -- "${p%/*}" 2>/dev/null && : >"$p"
  fi
  mount --no-canonicalize --bind "$src" "$p" || fail "cannot keep $p visible"
  fd=${fds[i]}
  exec {fd}<&-
done

export MYCLI_COMMAND_ENV_FILE=''
[[ -n $env_fd ]] && MYCLI_COMMAND_ENV_FILE=/dev/fd/$env_fd
ids=${MYCLI_ISOLATE_IDS-}
unset MYCLI_ISOLATE_HIDE MYCLI_ISOLATE_KEEP MYCLI_ISOLATE_ENV MYCLI_ISOLATE_IDS

if [[ -n $ids ]]; then
  # an unprivileged user: back to their own uid and gid, in a user namespace of its own, with no
  # capabilities, so the mounts above cannot be undone
  exec unshare --user --map-user="${ids%%:*}" --map-group="${ids##*:}" -- "$@"
fi
# real root: stays root, without the capability to mount or unmount
exec setpriv --bounding-set=-sys_admin --inh-caps=-sys_admin -- "$@"
