#!/usr/bin/env bash
# mycli local runs: the first process in a run's own PID and mount namespaces (started by
# `unshare`, see isolation.ts), before the executor runs the command. It hides from the
# command what it must not see, then starts the executor without the power to undo that.
#
#   MYCLI_ISOLATE_HIDE   paths covered with an empty tmpfs (mycli's home), separated by
#                        newlines, parents before children
#   MYCLI_ISOLATE_KEEP   paths that stay visible where they are (the run's workspace and
#                        home; the executor when the hidden home holds it), separated by
#                        newlines
#   MYCLI_ISOLATE_FSTAB  a file of the run's own (hidden afterwards) that this writes the
#                        mounts into, for one `mount -a`
#   MYCLI_ISOLATE_ENV    the file with the command's environment (NAME=value, each ended by
#                        NUL): handed on as an open descriptor, its path hidden
#   MYCLI_ISOLATE_IDS    uid:gid to run as when this runs as root of a user namespace of an
#                        unprivileged user; empty when mycli runs as real root
#   MYCLI_PHASE_FILE     the executor's phase file: handed on as an open descriptor
#                        (/dev/fd/N), its path hidden
#   then: the executor's argv
#
# Exit 78 with one "mycli: ..." line when a step fails: the run is not started half-isolated.
# Started ahead of its turn (MYCLI_GATE_FD, see entrypoint.sh), it says so only once its turn
# has come, so the reason is the run's last word; and not at all when the turn never comes.
set -u
msg_fd=2
[[ ${MYCLI_MESSAGE_FD-} =~ ^[0-9]{1,3}$ ]] && { true >&"$MYCLI_MESSAGE_FD"; } 2>/dev/null && msg_fd=$MYCLI_MESSAGE_FD
fail() {
  if [[ ${MYCLI_GATE_FD-} =~ ^[0-9]{1,3}$ ]]; then
    local go=''
    IFS= read -r -n 1 go <&"$MYCLI_GATE_FD" 2>/dev/null
    [[ -n $go ]] || exit 0
  fi
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
if [[ -n ${MYCLI_PHASE_FILE-} ]]; then
  exec {phase_fd}<>"$MYCLI_PHASE_FILE" || fail "cannot open $MYCLI_PHASE_FILE"
  export MYCLI_PHASE_FILE=/dev/fd/$phase_fd
fi

# fstab_path PATH: REPLY = PATH escaped for an fstab field
fstab_path() {
  REPLY=${1//\\/\\134}
  REPLY=${REPLY// /\\040}
  REPLY=${REPLY//$'\t'/\\011}
  REPLY=${REPLY//$'\n'/\\012}
}

# All mounts by one `mount -a` (X-mount.mkdir makes the folders' mount points): the run's start
# waits for each process started here. A file kept visible (only the executor, when the hidden
# home holds it) needs its mount point made first, so it is mounted after, on its own.
table=''
declare -a file_keeps=()
for p in "${hide[@]}"; do
  [[ -d $p ]] || continue # under a folder hidden already: gone with it
  case $p in
    /tmp | /var/tmp | /dev/shm) mode=1777 ;;
    *) mode=0755 ;;
  esac
  fstab_path "$p"
  table+="mycli-hidden $REPLY tmpfs mode=$mode 0 0"$'\n'
done
for i in "${!keep[@]}"; do
  if [[ -d /proc/self/fd/${fds[i]} ]]; then
    fstab_path "${keep[i]}"
    table+="/proc/self/fd/${fds[i]} $REPLY none bind,X-mount.mkdir 0 0"$'\n'
  else
    file_keeps+=("$i")
  fi
done
# mount reads its table whole before it mounts anything, so the file may be under what it hides
fstab=${MYCLI_ISOLATE_FSTAB-}
[[ -n $fstab ]] || fail "MYCLI_ISOLATE_FSTAB is not set"
printf '%s' "$table" >"$fstab" || fail "cannot write $fstab"
mount --no-canonicalize -a -T "$fstab" || fail "cannot hide ${hide[*]} or keep ${keep[*]} visible"
for i in "${file_keeps[@]}"; do
  p=${keep[i]}
  if [[ ! -e $p ]]; then
    mkdir -p -- "${p%/*}" 2>/dev/null
    : >"$p"
  fi
  mount --no-canonicalize --bind "/proc/self/fd/${fds[i]}" "$p" || fail "cannot keep $p visible"
done
for fd in "${fds[@]}"; do exec {fd}<&-; done

export MYCLI_COMMAND_ENV_FILE=''
[[ -n $env_fd ]] && MYCLI_COMMAND_ENV_FILE=/dev/fd/$env_fd
ids=${MYCLI_ISOLATE_IDS-}
unset MYCLI_ISOLATE_HIDE MYCLI_ISOLATE_KEEP MYCLI_ISOLATE_ENV MYCLI_ISOLATE_IDS MYCLI_ISOLATE_FSTAB

if [[ -n $ids ]]; then
  # an unprivileged user: back to their own uid and gid, in a user namespace of its own, with no
  # capabilities, so the mounts above cannot be undone
  exec unshare --user --map-user="${ids%%:*}" --map-group="${ids##*:}" -- "$@"
fi
# real root: stays root, without the capability to mount or unmount
exec setpriv --bounding-set=-sys_admin --inh-caps=-sys_admin -- "$@"
