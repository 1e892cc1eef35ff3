#!/usr/bin/env bash
# mycli executor: clone a Git repository, then run one shell command in it.
#
# Used as the container entrypoint on AWS and run directly by the local platform.
# Input comes ONLY from environment variables; values are never pasted into
# shell text and nothing is eval'ed.
#
#   MYCLI_MODE          all (default) | clone (clone, then exit 0) | run (skip
#                       the clone; run in an existing checkout)
#   REPO_URL            repository to clone (required unless MYCLI_MODE=run):
#                       https://, http://, ssh://, git://, file://, git@host:path
#                       or a local path. No "<transport>::" helpers, no
#                       password or token inside the URL.
#   REPO_BRANCH         branch, tag or full commit id; empty = the remote's default branch
#   USER_COMMAND        command for `sh -c` (required unless MYCLI_MODE=clone)
#   WORKDIR             relative sub-folder of the checkout to run in
#   TIMEOUT_SECONDS     1..43200, default 3600
#   KILL_GRACE_SECONDS  1..3600, default 10: SIGTERM -> SIGKILL grace period
#   GIT_DEPTH           positive integer, default 1
#   GITHUB_TOKEN, GITLAB_TOKEN   HTTPS tokens, given to git only through a
#                       GIT_ASKPASS helper that reads them from the environment
#   SSH_PRIVATE_KEY     base64 of a private key (for ssh:// and git@host:path)
#   MYCLI_WORKSPACE     default /workspace; the checkout is $MYCLI_WORKSPACE/repo
#   MYCLI_PHASE_FILE    optional file that receives the current phase word:
#                       config, then clone, then run, and timed-out when
#                       TIMEOUT_SECONDS ran out (only then)
#   MYCLI_MESSAGE_FD    optional open file descriptor for the executor's own
#                       "mycli: ..." lines (git's included), so they are never
#                       mixed with the command's stderr; default 2 (stderr)
#   MYCLI_EXECUTION_ID  optional; passed on to the command
#   MYCLI_COMMAND_ENV_FILE  optional file of NAME=value entries, each ended by
#                       NUL: the command's own env, on top of the environment below;
#                       it never becomes this script's (or git's) environment
#   MYCLI_COMMAND_ENV   the same entries, base64-encoded, in one variable (the AWS
#                       task's overrides): the run's env never becomes a variable of
#                       the container that holds the Git credentials
#   MYCLI_EXIT_LINE     1: print "mycli: exit N" on stdout as the very last line
#                       (the AWS task's log readers wait for it)
#   MYCLI_GATE_FD       optional open descriptor (run mode): read and check the
#                       settings, then wait for one byte on it before anything
#                       shows (phase, messages, a refusal); at end of file (the
#                       clone failed or the run was stopped) exit 0 at once,
#                       having done nothing.
#                       The local platform starts the run step this way while the
#                       clone step still runs, so its start-up costs no time
#
# The command's environment is this script's, without the variables above,
# the credentials and the shell's own (PWD, SHLVL, _, OLDPWD), with defaults
# for PATH, HOME, LANG (C.UTF-8), TZ (UTC), TERM (dumb) and SHELL (/bin/sh), and
# MYCLI_EXECUTION_ID, MYCLI_REPO (REPO_URL without userinfo) and MYCLI_REF
# (REPO_BRANCH, when given). Its stdin is the script's stdin.
#
# Exit codes:
#   0..255  the command's own exit code
#   78      bad configuration (phase config), or WORKDIR missing in the checkout
#           (phase run); one "mycli: ..." line on stderr says what to change
#   79      clone failed (missing branch, wrong credentials, unreachable repo)
#   124     the command timed out (or exited 124 itself: the phase file and
#           the "mycli: command timed out" line tell them apart)
#   129 / 130 / 143   the run was stopped by SIGHUP / SIGINT / SIGTERM
#
# Credentials never reach the command: before it starts, the temp dir holding
# the askpass helper and the SSH key is removed and, if any credential variable
# was set, the script re-executes itself without them, so they are not even in
# /proc/<pid>/environ of a process the command can read.
#
# Processes: the command runs as `sh -c "$USER_COMMAND"` in the script's own
# process group, timed by the script itself. When the script leads that group and is
# not PID 1 (the local platform), a SIGTERM/SIGINT/SIGHUP is taken to have
# reached the whole group; as PID 1 of a container (docker stop and ECS signal
# only PID 1) or when not a group leader, the script forwards it to all its
# descendants. Either way, whatever is still running KILL_GRACE_SECONDS later
# is SIGKILLed. When the command ends or times out, anything it left running
# is named in one "mycli:" line and gets SIGTERM, then SIGKILL after 2 seconds
# (LEFTOVER_GRACE). As PID 1 of a PID namespace (the local platform's isolation,
# a container) that includes daemons that called setsid or double-forked.
#
# Needs bash >= 5.0, git, coreutils (env, mktemp, base64, tr), ssh.

set -u
shopt -s nullglob dotglob

readonly EX_CONFIG=78 EX_CLONE=79 EX_TIMEOUT=124
# seconds that what a command leaves running gets between SIGTERM and SIGKILL
readonly LEFTOVER_GRACE=2

TMP_DIR=''
GATE_FD=''
# what git runs for a username or password: `false` (ask no one) unless a token is given
ASKPASS=false
MASKS=()
LEFT=()
REPLY=''

# ---------------------------------------------------------------- output ----

# mask TEXT: REPLY = TEXT with every secret replaced by ***
mask() {
  local s=$1 v
  for v in "${MASKS[@]}"; do
    s=${s//"$v"/"***"}
  done
  REPLY=$s
}

# the executor's own lines go to MYCLI_MESSAGE_FD when it is an open descriptor
MSG_FD=2
if [[ ${MYCLI_MESSAGE_FD-} =~ ^[0-9]{1,3}$ ]] && { true >&"$MYCLI_MESSAGE_FD"; } 2>/dev/null; then
  MSG_FD=$((10#$MYCLI_MESSAGE_FD))
fi

say() {
  mask "mycli: $*"
  printf '%s\n' "$REPLY" >&"$MSG_FD"
}

fail() {
  local code=$1
  shift
  pass_gate
  say "$@"
  exit "$code"
}

# q VALUE: the value quoted for a one-line message
q() {
  local v=${1//[^[:print:]]/?}
  ((${#v} > 100)) && v="${v:0:97}..."
  printf '"%s"' "$v"
}

# add_mask VALUE: mask VALUE and each of its lines (of 8+ characters)
add_mask() {
  local v=${1//$'\r'/} line
  [[ -n $v ]] || return 0
  MASKS+=("$v")
  while [[ $v == *$'\n'* ]]; do
    line=${v%%$'\n'*}
    v=${v#*$'\n'}
    ((${#line} >= 8)) && MASKS+=("$line")
  done
  [[ $v != "${MASKS[-1]}" ]] && ((${#v} >= 8)) && MASKS+=("$v")
  return 0
}

# longest secrets first, so a secret containing another is masked whole
sort_masks() {
  local i j t
  for ((i = 1; i < ${#MASKS[@]}; i++)); do
    t=${MASKS[i]}
    for ((j = i - 1; j >= 0 && ${#MASKS[j]} < ${#t}; j--)); do
      MASKS[j + 1]=${MASKS[j]}
    done
    MASKS[j + 1]=$t
  done
}

PHASE_FILE=${MYCLI_PHASE_FILE-}
if [[ -n $PHASE_FILE && $PHASE_FILE != /* ]]; then
  PHASE_FILE=$PWD/$PHASE_FILE
fi

phase() {
  [[ -n $PHASE_FILE ]] || return 0
  if ! { printf '%s\n' "$1" >"$PHASE_FILE"; } 2>/dev/null; then
    fail "$EX_CONFIG" "cannot write MYCLI_PHASE_FILE $(q "$PHASE_FILE"); point it at a writable file or unset it"
  fi
}

# ------------------------------------------------------------- processes ----

LEADER=0
if { IFS= read -r _stat <"/proc/$$/stat"; } 2>/dev/null; then
  _stat=${_stat##*) }   # drop "pid (comm) "
  _stat=${_stat#* }     # drop state
  _stat=${_stat#* }     # drop ppid
  [[ ${_stat%% *} == "$$" ]] && LEADER=1
fi
unset _stat

# collect_left: LEFT = live processes this run started: our descendants, plus
# the other members of our process group when we lead it.
collect_left() {
  LEFT=()
  local f line pid state ppid pgrp p c
  local -A kids=() seen=()
  for f in /proc/[0-9]*/stat; do
    { IFS= read -r line <"$f"; } 2>/dev/null || continue
    pid=${line%% *}
    line=${line##*) }
    state=${line%% *}
    line=${line#* }
    ppid=${line%% *}
    line=${line#* }
    pgrp=${line%% *}
    [[ $pid == "$$" || $state == [ZX] ]] && continue
    kids[$ppid]+=" $pid"
    if ((LEADER)) && [[ $pgrp == "$$" ]]; then
      seen[$pid]=1
      LEFT+=("$pid")
    fi
  done
  local -a queue=("$$")
  while ((${#queue[@]})); do
    p=${queue[0]}
    queue=("${queue[@]:1}")
    for c in ${kids[$p]-}; do
      queue+=("$c")
      [[ -n ${seen[$c]-} ]] && continue
      seen[$c]=1
      LEFT+=("$c")
    done
  done
}

# stop_tree SIGNAL GRACE: send SIGNAL (once each; none if empty) to what is
# left of the run, wait up to GRACE seconds for it to exit, then SIGKILL it.
stop_tree() {
  local sig=$1 ticks=$(($2 * 10)) p
  local -A sent=()
  collect_left
  while ((${#LEFT[@]})); do
    if ((ticks-- <= 0)); then
      kill -s KILL "${LEFT[@]}" 2>/dev/null
      collect_left
      ((${#LEFT[@]})) && kill -s KILL "${LEFT[@]}" 2>/dev/null
      break
    fi
    if [[ -n $sig ]]; then
      for p in "${LEFT[@]}"; do
        [[ -n ${sent[$p]-} ]] && continue
        sent[$p]=1
        kill -s "$sig" "$p" 2>/dev/null
        kill -s CONT "$p" 2>/dev/null
      done
    fi
    sleep 0.1
    collect_left
  done
  return 0
}

# stop_leftovers: the run ends when its command ends. Whatever the command left
# running (background jobs, children of a timed-out command, and, as PID 1 of
# a PID namespace, daemons that called setsid) is named in one line, gets
# SIGTERM and, LEFTOVER_GRACE seconds later, SIGKILL; its output until then is kept.
stop_leftovers() {
  local p name names=''
  collect_left
  ((${#LEFT[@]})) || return 0
  for p in "${LEFT[@]:0:10}"; do
    name='?'
    { IFS= read -r name <"/proc/$p/comm"; } 2>/dev/null
    names+="${names:+, }$p ($name)"
  done
  ((${#LEFT[@]} > 10)) && names+=" and $((${#LEFT[@]} - 10)) more"
  say "the command has ended; stopping what it left running: $names"
  stop_tree TERM "$LEFTOVER_GRACE"
}

cleanup_tmp() {
  if [[ -n $TMP_DIR ]]; then
    rm -rf -- "$TMP_DIR"
    TMP_DIR=''
  fi
}

# shellcheck disable=SC2317  # invoked by the traps below
on_signal() {
  local sig=$1 code=$2
  trap '' INT TERM HUP
  if ((LEADER)) && (($$ != 1)); then
    # the local platform signals our whole process group: give it the grace
    # period without signalling anyone a second time
    stop_tree '' "${GRACE:-10}"
  else
    # PID 1 of a container (docker stop / ECS StopTask signal only PID 1) or
    # not a group leader: pass the signal on to everything we started
    stop_tree "$sig" "${GRACE:-10}"
  fi
  cleanup_tmp
  exit "$code"
}

# on_exit: the EXIT trap; with MYCLI_EXIT_LINE=1 (the AWS task, where this script is the
# container's PID 1) the log ends with "mycli: exit N", so log readers know they have every line
# shellcheck disable=SC2317  # invoked by the EXIT trap
on_exit() {
  local rc=$?
  cleanup_tmp
  [[ ${MYCLI_EXIT_LINE-} == 1 ]] && printf 'mycli: exit %s\n' "$rc"
  return "$rc"
}

trap on_exit EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP

# ---------------------------------------------------------------- config ----

SELF=${BASH_SOURCE[0]}
[[ $SELF == /* ]] || SELF=$PWD/$SELF

RESUMED=0
MODE=${MYCLI_MODE:-all}
if [[ ${_MYCLI_RESUMED-} == 1 ]]; then
  # re-executed by ourselves after the clone, without credentials
  RESUMED=1
  MODE=run
fi
unset _MYCLI_RESUMED

# Started ahead while another process clones: the run step reads and checks its
# settings, then waits here. Nothing shows, not even the phase, before that
# process says go; at end of file it exits having done nothing.
[[ ${MYCLI_GATE_FD-} =~ ^[0-9]{1,3}$ ]] && GATE_FD=$MYCLI_GATE_FD
unset MYCLI_GATE_FD

pass_gate() {
  [[ -n $GATE_FD ]] || return 0
  local go='' fd=$GATE_FD
  GATE_FD=''
  IFS= read -r -n 1 go <&"$fd" 2>/dev/null
  exec {fd}<&-
  [[ -n $go ]] || exit 0
  ((RESUMED)) || phase config
}

if [[ -z $GATE_FD ]]; then
  ((RESUMED)) || phase config
elif [[ $MODE != run ]]; then
  pass_gate # only a run step waits with its settings checked
fi

# secrets to mask, before anything is printed
add_mask "${GITHUB_TOKEN-}"
add_mask "${GITLAB_TOKEN-}"
add_mask "${SSH_PRIVATE_KEY-}"

case $MODE in
  all | clone | run) ;;
  *) fail "$EX_CONFIG" "MYCLI_MODE must be all, clone or run (got $(q "$MODE"))" ;;
esac

WORKSPACE=${MYCLI_WORKSPACE:-/workspace}
[[ $WORKSPACE == /* ]] || WORKSPACE=$PWD/$WORKSPACE
WORKSPACE=${WORKSPACE%/}
DEST=$WORKSPACE/repo

# number NAME DEFAULT MIN MAX: validated whole number in REPLY
number() {
  local name=$1 v=${!1-}
  [[ -n $v ]] || v=$2
  if [[ ! $v =~ ^[0-9]{1,9}$ ]] || ((10#$v < $3 || 10#$v > $4)); then
    if (($4 >= 999999999)); then
      fail "$EX_CONFIG" "$name must be a positive whole number (got $(q "$v"))"
    fi
    fail "$EX_CONFIG" "$name must be a whole number from $3 to $4 (got $(q "$v"))"
  fi
  REPLY=$((10#$v))
}

number TIMEOUT_SECONDS 3600 1 43200
TIMEOUT=$REPLY
number KILL_GRACE_SECONDS 10 1 3600
GRACE=$REPLY
number GIT_DEPTH 1 1 999999999
DEPTH=$REPLY

WORKDIR_REL=${WORKDIR-}
if [[ -n $WORKDIR_REL ]]; then
  if [[ $WORKDIR_REL == *[[:cntrl:]]* ]]; then
    fail "$EX_CONFIG" "WORKDIR must not contain control characters"
  fi
  if [[ $WORKDIR_REL == /* ]]; then
    fail "$EX_CONFIG" "WORKDIR must be a path relative to the repository root (got $(q "$WORKDIR_REL"))"
  fi
  if [[ /$WORKDIR_REL/ == */../* ]]; then
    fail "$EX_CONFIG" "WORKDIR must not contain \"..\" (got $(q "$WORKDIR_REL"))"
  fi
  while [[ $WORKDIR_REL == ./* ]]; do WORKDIR_REL=${WORKDIR_REL#./}; done
  while [[ $WORKDIR_REL == */ ]]; do WORKDIR_REL=${WORKDIR_REL%/}; done
  [[ $WORKDIR_REL == . ]] && WORKDIR_REL=''
fi

if [[ $MODE != clone ]]; then
  CMD=${USER_COMMAND-}
  if [[ -z ${CMD//[[:space:]]/} ]]; then
    fail "$EX_CONFIG" "USER_COMMAND is required; set it to the shell command to run in the repository"
  fi
fi

SSH_KEY=''
if [[ -n ${SSH_PRIVATE_KEY-} ]]; then
  _b64=${SSH_PRIVATE_KEY//[[:space:]]/}
  if ! SSH_KEY=$(printf '%s' "$_b64" | base64 -d 2>/dev/null) || [[ -z $SSH_KEY ]]; then
    fail "$EX_CONFIG" "SSH_PRIVATE_KEY is not valid base64; set it to the output of: base64 -w0 <private key file>"
  fi
  unset _b64
  SSH_KEY=${SSH_KEY//$'\r'/}
  add_mask "$SSH_KEY"
  if [[ $SSH_KEY != *"PRIVATE KEY"* ]]; then
    fail "$EX_CONFIG" "SSH_PRIVATE_KEY does not decode to a private key; set it to the output of: base64 -w0 <private key file>"
  fi
fi
sort_masks

URL_SCHEME='' URL_USER='' URL_HOST='' URL_LOCAL=0 URL_SHOWN=''

# parse_url URL: sets URL_SCHEME (lower case, empty for scp-like and paths),
# URL_USER (userinfo), URL_HOST, URL_LOCAL (1 for file:// and local paths) and
# URL_SHOWN (the URL for messages, without http(s) userinfo)
parse_url() {
  local u=$1 auth before
  URL_SHOWN=$u
  if [[ $u =~ ^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$ ]]; then
    URL_SCHEME=${BASH_REMATCH[1],,}
    auth=${BASH_REMATCH[2]%%/*}
    if [[ $auth == *@* ]]; then
      URL_USER=${auth%@*}
      auth=${auth##*@}
      if [[ $URL_SCHEME == http || $URL_SCHEME == https ]]; then
        URL_SHOWN=${BASH_REMATCH[1]}://${BASH_REMATCH[2]#*"$URL_USER"@}
      fi
    fi
    URL_HOST=${auth,,}
    [[ $URL_SCHEME == file ]] && URL_LOCAL=1
  else
    before=${u%%:*}
    if [[ $u == *:* && $before != */* ]]; then
      # scp-like [user@]host:path
      if [[ $before == *@* ]]; then
        URL_USER=${before%@*}
        before=${before##*@}
      fi
      URL_HOST=${before,,}
    else
      URL_LOCAL=1
    fi
  fi
  return 0
}

if [[ $MODE != run ]]; then
  URL=${REPO_URL-}
  BRANCH=${REPO_BRANCH-}
  if [[ -z $URL ]]; then
    fail "$EX_CONFIG" "REPO_URL is required; set it to the repository to clone (https://..., ssh://..., git@host:path or a local path)"
  fi
  if [[ $URL == -* ]]; then
    fail "$EX_CONFIG" "REPO_URL must not start with \"-\""
  fi
  if [[ $URL == *[[:cntrl:]]* ]]; then
    fail "$EX_CONFIG" "REPO_URL must not contain control characters"
  fi
  if [[ $URL =~ ^[A-Za-z0-9+.-]*:: ]]; then
    fail "$EX_CONFIG" "REPO_URL must not use a \"<transport>::\" remote helper; use https://, ssh://, git@host:path or a local path"
  fi
  parse_url "$URL"
  case $URL_SCHEME in
    '' | http | https | ssh | git | file | git+ssh | ssh+git) ;;
    *) fail "$EX_CONFIG" "REPO_URL scheme $(q "$URL_SCHEME") is not supported; use https://, http://, ssh://, git://, file:// or git@host:path" ;;
  esac
  if [[ $URL_USER == *:* ]]; then
    fail "$EX_CONFIG" "REPO_URL must not contain a password or token; remove the \"user:password@\" part and set GITHUB_TOKEN or GITLAB_TOKEN instead"
  fi
  if [[ -n $URL_USER ]] && {
    [[ $URL_USER =~ ^(ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|glpat-|gldt-) ]] ||
      [[ -n ${GITHUB_TOKEN-} && $URL_USER == "$GITHUB_TOKEN" ]] ||
      [[ -n ${GITLAB_TOKEN-} && $URL_USER == "$GITLAB_TOKEN" ]]
  }; then
    fail "$EX_CONFIG" "REPO_URL must not contain a token; remove the \"token@\" part and set GITHUB_TOKEN or GITLAB_TOKEN instead"
  fi
  if [[ -n $BRANCH ]]; then
    if [[ $BRANCH == -* ]]; then
      fail "$EX_CONFIG" "REPO_BRANCH must not start with \"-\""
    fi
    if ! git check-ref-format "refs/heads/$BRANCH" >/dev/null 2>&1; then
      fail "$EX_CONFIG" "REPO_BRANCH $(q "$BRANCH") is not a valid branch or tag name"
    fi
  fi
  if [[ -e $DEST || -L $DEST ]]; then
    _entries=("$DEST"/*)
    if [[ ! -d $DEST ]] || ((${#_entries[@]})); then
      fail "$EX_CONFIG" "$DEST already exists and is not empty; use an empty MYCLI_WORKSPACE or MYCLI_MODE=run"
    fi
    unset _entries
  fi
fi

# run mode after a clone step of its own (the local platform): the URL and the
# ref only as facts for the command
if [[ $MODE == run ]]; then
  BRANCH=${REPO_BRANCH-}
  [[ -n ${REPO_URL-} ]] && parse_url "$REPO_URL"
fi

# ----------------------------------------------------------------- clone ----

# sq TEXT: REPLY = TEXT quoted for sh
sq() {
  REPLY="'${1//\'/\'\\\'\'}'"
}

write_askpass() {
  local f=$TMP_DIR/askpass
  cat >"$f" <<'ASKPASS'
#!/bin/sh
# mycli GIT_ASKPASS helper: answers git's prompts from the environment.
prompt=${1-}
url=${prompt#*\'}
url=${url%%\'*}
host=${url#*://}
host=${host%%/*}
host=${host##*@}
host=$(printf '%s' "$host" | tr '[:upper:]' '[:lower:]')
case $host in
  *github*) token=${GITHUB_TOKEN-} user=x-access-token ;;
  *gitlab*) token=${GITLAB_TOKEN-} user=oauth2 ;;
  *)
    if [ -n "${GITHUB_TOKEN-}" ]; then
      token=$GITHUB_TOKEN user=x-access-token
    else
      token=${GITLAB_TOKEN-} user=oauth2
    fi
    ;;
esac
[ -n "$token" ] || exit 1
case $prompt in
  Username*) printf '%s\n' "$user" ;;
  Password*) printf '%s\n' "$token" ;;
  *) exit 1 ;;
esac
ASKPASS
  chmod 0700 "$f"
}

# git_ ARGS: git with the clone-time environment, no credential helper, no stdin
git_() {
  GIT_TERMINAL_PROMPT=0 GIT_ALLOW_PROTOCOL=$ALLOW_PROTOCOL \
    GIT_ASKPASS=$ASKPASS SSH_ASKPASS='' GIT_SSH_COMMAND=$SSH_COMMAND \
    git -c credential.helper= -c advice.detachedHead=false "$@" </dev/null
}

# run_git ARGS: git_ with its output masked onto stderr and kept in GIT_LOG
run_git() {
  local line fd pid
  GIT_LOG=''
  exec {fd}< <(git_ "$@" 2>&1)
  pid=$!
  while IFS= read -r line <&"$fd" || [[ -n $line ]]; do
    mask "${line%$'\r'}"
    # every line of ours starts with "mycli: ", so clients can tell it from the command's output
    printf 'mycli: git: %s\n' "$REPLY" >&"$MSG_FD"
    GIT_LOG+=$REPLY$'\n'
  done
  exec {fd}<&-
  wait "$pid"
}

clone_reason() {
  local rc=$1 log=${GIT_LOG,,} shown
  shown=$(q "$URL_SHOWN")
  case $log in
    *"remote branch"*"not found"* | *"couldn't find remote ref"*)
      REPLY="ref $(q "$BRANCH") is not a branch or tag of $shown"
      [[ $BRANCH =~ ^[0-9a-f]{4,39}$ ]] && REPLY+="; to run a commit, give its full 40-character id" ;;
    *"could not create work tree"* | *"could not create leading directories"*)
      REPLY="cannot write $DEST; check MYCLI_WORKSPACE" ;;
    *"host key verification failed"*)
      REPLY="the SSH host key of $(q "$URL_HOST") could not be verified" ;;
    *"authentication failed"* | *"could not read username"* | *"could not read password"* | \
      *"permission denied"* | *"invalid username or password"* | *"access denied"* | \
      *"returned error: 401"* | *"returned error: 403"*)
      REPLY="authentication failed for $shown; check GITHUB_TOKEN, GITLAB_TOKEN or SSH_PRIVATE_KEY" ;;
    *"could not resolve"* | *"connection refused"* | *"failed to connect"* | *"could not connect"* | \
      *"couldn't connect"* | *"timed out"* | *"unreachable"* | *"no route to host"*)
      REPLY="could not reach $shown; check REPO_URL and the network" ;;
    *"not found"* | *"does not exist"* | *"not a git repository"* | *"does not appear to be a git repository"*)
      REPLY="repository $shown not found or not accessible; check REPO_URL and the credentials" ;;
    *"not allowed"*)
      REPLY="the protocol of $shown is not allowed; use https://, ssh://, git:// or a local path" ;;
    *)
      REPLY="git exited with status $rc while cloning $shown" ;;
  esac
}

# clone_commit: DEST checked out at the commit BRANCH, with origin set as a clone would
clone_commit() {
  run_git init -q -- "$DEST" &&
    run_git -C "$DEST" remote add origin "$URL" &&
    run_git -C "$DEST" fetch -q --depth "$DEPTH" origin "$BRANCH" &&
    run_git -C "$DEST" checkout -q FETCH_HEAD
}

do_clone() {
  local rc
  phase clone
  # a private folder for the askpass helper and the SSH key, only when there is a credential:
  # without one, a clone starts no process before git
  if [[ -n ${GITHUB_TOKEN-} || -n ${GITLAB_TOKEN-} || -n $SSH_KEY ]]; then
    TMP_DIR=$(mktemp -d -t mycli.XXXXXXXXXX) ||
      fail "$EX_CLONE" "clone failed: cannot create a temporary directory; check TMPDIR"
    chmod 0700 "$TMP_DIR"
    write_askpass
    ASKPASS=$TMP_DIR/askpass
  fi

  # the key reaches the disk only for a clone over SSH (ssh:// or user@host:path)
  if [[ -n $SSH_KEY && ($URL_SCHEME == ssh || (-z $URL_SCHEME && $URL_LOCAL == 0)) ]]; then
    local key=$TMP_DIR/id_key kh=$TMP_DIR/known_hosts
    (umask 077 && printf '%s\n' "$SSH_KEY" >"$key")
    chmod 0600 "$key"
    sq "$key"
    SSH_COMMAND="ssh -i $REPLY -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new -o LogLevel=ERROR"
    sq "$kh"
    SSH_COMMAND+=" -o UserKnownHostsFile=$REPLY -o BatchMode=yes"
  else
    SSH_COMMAND=${GIT_SSH_COMMAND:-ssh -o BatchMode=yes}
  fi

  # file:// (and local paths) only when the repository itself is local, so a
  # remote repository cannot pull local files in as submodules
  if ((URL_LOCAL)); then
    ALLOW_PROTOCOL=file:git:http:https:ssh
  else
    ALLOW_PROTOCOL=git:http:https:ssh
  fi

  local -a args=(clone -q --depth "$DEPTH")
  # a plain local path would ignore --depth; --no-local makes it honour it
  [[ $URL_LOCAL == 1 && $URL_SCHEME != file ]] && args+=(--no-local)
  if [[ -n $BRANCH ]]; then
    args+=(--branch "$BRANCH")
    say "cloning $URL_SHOWN (ref $BRANCH)"
  else
    say "cloning $URL_SHOWN (default branch)"
  fi
  args+=(-- "$URL" "$DEST")

  run_git "${args[@]}"
  rc=$?
  if ((rc != 0)) && [[ $BRANCH =~ ^([0-9a-f]{40}|[0-9a-f]{64})$ && ${GIT_LOG,,} == *"not found"* ]]; then
    # not a branch or tag: a commit id, fetched on its own (the server must allow it, as hosted Git does)
    say "$BRANCH is no branch or tag there; fetching it as a commit"
    clone_commit
    rc=$?
  fi
  if ((rc != 0)); then
    clone_reason "$rc"
    fail "$EX_CLONE" "clone failed: $REPLY"
  fi

  if [[ -f $DEST/.gitmodules ]]; then
    say "updating submodules"
    run_git -C "$DEST" submodule --quiet update --init --recursive --depth "$DEPTH"
    rc=$?
    if ((rc != 0)); then
      if [[ ${GIT_LOG,,} == *"transport 'file' not allowed"* ]]; then
        fail "$EX_CLONE" "clone failed: a submodule uses a local path or file:// URL, which is only allowed when REPO_URL is local"
      fi
      fail "$EX_CLONE" "clone failed: submodule update failed (git exit $rc); see the git messages above"
    fi
  fi
  cleanup_tmp
}

# ------------------------------------------------------------------- run ----

# the command must not see a credential, not even in our /proc/<pid>/environ:
# drop them and start over in run mode
scrub_credentials() {
  ((RESUMED)) && return 0
  if [[ -v GITHUB_TOKEN || -v GITLAB_TOKEN || -v SSH_PRIVATE_KEY || -v GIT_ASKPASS || -v GIT_SSH_COMMAND ]]; then
    cleanup_tmp
    unset GITHUB_TOKEN GITLAB_TOKEN SSH_PRIVATE_KEY GIT_ASKPASS GIT_SSH_COMMAND
    if [[ -r $SELF ]]; then
      export _MYCLI_RESUMED=1
      [[ -n $NEVER_FD ]] && exec {NEVER_FD}<&- # the script opens its own again
      exec "$BASH" "$SELF"
    fi
  fi
}

# read_command_env: USER_ENV = the run's env, from MYCLI_COMMAND_ENV_FILE (the local
# platform) or MYCLI_COMMAND_ENV (AWS), entries NAME=value each ended by NUL: it
# reaches the command and nothing else, not this script and not git
declare -A USER_ENV=()
read_command_env() {
  local file=${MYCLI_COMMAND_ENV_FILE-}
  if [[ -n $file ]]; then
    [[ -r $file ]] || fail "$EX_CONFIG" "MYCLI_COMMAND_ENV_FILE $(q "$file") cannot be read"
    add_command_env <"$file"
  fi
  if [[ -n ${MYCLI_COMMAND_ENV-} ]]; then
    add_command_env < <(printf '%s' "$MYCLI_COMMAND_ENV" | base64 -d 2>/dev/null)
  fi
  return 0
}

# add_command_env < ENTRIES: NUL-ended NAME=value entries into USER_ENV
add_command_env() {
  local entry
  while IFS= read -r -d '' entry; do
    [[ $entry =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] && USER_ENV[${entry%%=*}]=${entry#*=}
  done
  return 0
}

# command_env: CMD_ENV = NAME=value words for the command's environment: ours
# without the executor's inputs, credentials and the shell's own variables,
# with defaults for the basics and a few documented facts about the run
command_env() {
  local name home=~
  [[ $home == /* ]] || home=/tmp
  local -A defaults=(
    [PATH]=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    [HOME]=$home [LANG]=C.UTF-8 [TZ]=UTC [TERM]=dumb [SHELL]=/bin/sh
  )
  CMD_ENV=()
  read_command_env
  for name in "${!USER_ENV[@]}"; do
    CMD_ENV+=("$name=${USER_ENV[$name]}")
    unset "defaults[$name]"
  done
  # every exported variable, as compgen -e lists them, without a subshell
  for name in "${!A@}" "${!B@}" "${!C@}" "${!D@}" "${!E@}" "${!F@}" "${!G@}" "${!H@}" "${!I@}" \
    "${!J@}" "${!K@}" "${!L@}" "${!M@}" "${!N@}" "${!O@}" "${!P@}" "${!Q@}" "${!R@}" "${!S@}" \
    "${!T@}" "${!U@}" "${!V@}" "${!W@}" "${!X@}" "${!Y@}" "${!Z@}" "${!a@}" "${!b@}" "${!c@}" \
    "${!d@}" "${!e@}" "${!f@}" "${!g@}" "${!h@}" "${!i@}" "${!j@}" "${!k@}" "${!l@}" "${!m@}" \
    "${!n@}" "${!o@}" "${!p@}" "${!q@}" "${!r@}" "${!s@}" "${!t@}" "${!u@}" "${!v@}" "${!w@}" \
    "${!x@}" "${!y@}" "${!z@}" "${!_@}"; do
    [[ -v $name && ${!name@a} == *x* ]] || continue
    [[ -v USER_ENV[$name] ]] && continue
    case $name in
      REPO_URL | REPO_BRANCH | USER_COMMAND | WORKDIR | TIMEOUT_SECONDS | KILL_GRACE_SECONDS | GIT_DEPTH | \
        GITHUB_TOKEN | GITLAB_TOKEN | SSH_PRIVATE_KEY | GIT_ASKPASS | GIT_SSH_COMMAND | MYCLI_* | _MYCLI_* | \
        PWD | OLDPWD | SHLVL | _) continue ;;
    esac
    [[ -n ${defaults[$name]-} && -z ${!name} ]] && continue
    unset "defaults[$name]"
    CMD_ENV+=("$name=${!name}")
  done
  for name in "${!defaults[@]}"; do CMD_ENV+=("$name=${defaults[$name]}"); done
  [[ -n ${MYCLI_EXECUTION_ID-} ]] && CMD_ENV+=("MYCLI_EXECUTION_ID=$MYCLI_EXECUTION_ID")
  [[ -n ${URL_SHOWN-} ]] && CMD_ENV+=("MYCLI_REPO=$URL_SHOWN")
  [[ -n ${BRANCH-} ]] && CMD_ENV+=("MYCLI_REF=$BRANCH")
  return 0
}

TIMER_FIRED=0

# shellcheck disable=SC2317  # invoked by the USR1 trap, which only our timer sends
on_timer() {
  TIMER_FIRED=1
}

# NEVER_FD: a pipe that never has anything to read, for the timer to sleep on (read -t) without a
# process to sleep in. Its helper (the `:` behind the pipe) is reaped here, before the command
# starts: a helper still running when the command ends would be named as the command's leftover.
NEVER_FD=''
open_never_fd() {
  # (without it the timer would fire at once)
  exec {NEVER_FD}<> <(:) || fail "$EX_CONFIG" "cannot open a pipe for the command's timer"
  wait "$!" 2>/dev/null
}

do_run() {
  local rc pid timer dir=$DEST
  phase run
  [[ -n $WORKDIR_REL ]] && dir+=/$WORKDIR_REL
  if [[ ! -d $dir ]] || ! cd -- "$dir"; then
    fail "$EX_CONFIG" "workdir $(q "$WORKDIR_REL") does not exist in the repository"
  fi
  say "running in $dir"
  command_env

  # the timeout is ours: a timer that signals us, so a command that exits 124
  # by itself is never taken for a timed-out one
  trap on_timer USR1
  (
    trap - USR1
    ((MSG_FD != 2)) && exec {MSG_FD}>&-
    exec {NEVER_FD}<&-
    # a phase file handed over as a descriptor (/dev/fd/N) is ours, not the command's
    if [[ $PHASE_FILE =~ ^/dev/fd/([0-9]{1,3})$ ]]; then
      phase_fd=${BASH_REMATCH[1]}
      exec {phase_fd}>&-
    fi
    exec env -i "${CMD_ENV[@]}" sh -c "$CMD"
  ) <&0 &
  pid=$!
  (
    trap - USR1
    ((MSG_FD != 2)) && exec {MSG_FD}>&-
    read -rt "$TIMEOUT" -u "$NEVER_FD"
    kill -USR1 "$$"
  ) </dev/null >/dev/null 2>&1 &
  timer=$!

  wait "$pid"
  rc=$?
  if ((TIMER_FIRED)) && ! kill -0 "$pid" 2>/dev/null; then
    # the command ended on its own just as the timer fired: its status stands
    TIMER_FIRED=0
    wait "$pid"
    rc=$?
  fi
  if ((TIMER_FIRED)); then
    phase timed-out
    say "command timed out after $TIMEOUT seconds"
    stop_tree TERM "$GRACE"
    wait "$pid" 2>/dev/null
    rc=$EX_TIMEOUT
  else
    kill -KILL "$timer" 2>/dev/null
    wait "$timer" 2>/dev/null
  fi
  trap '' USR1
  stop_leftovers
  exit "$rc"
}

if [[ $MODE != run ]]; then
  do_clone
  if [[ $MODE == clone ]]; then
    say "cloned into $DEST"
    exit 0
  fi
fi
# opened now, while a step started ahead still waits at its gate, so the command's start does not wait for it
open_never_fd
pass_gate
if [[ $MODE == run && ! -d $DEST ]]; then
  fail "$EX_CONFIG" "no checkout at $DEST; clone it first (MYCLI_MODE=clone) or use MYCLI_MODE=all"
fi
scrub_credentials
unset GITHUB_TOKEN GITLAB_TOKEN SSH_PRIVATE_KEY GIT_ASKPASS GIT_SSH_COMMAND
do_run
