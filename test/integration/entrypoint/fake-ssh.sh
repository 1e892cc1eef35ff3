#!/bin/sh
# Stands in for `ssh` in the entrypoint tests (copied as "ssh" into a PATH dir).
# Records its arguments and the mode and content of the -i key in $FAKE_SSH_LOG, then
# either fails like a rejected key (FAKE_SSH_MODE=fail, printing the key to stderr so
# the test can check masking) or serves git-upload-pack from $FAKE_SSH_ROOT/<path>.
log=${FAKE_SSH_LOG:?}
key=''
prev=''
last=''
for a in "$@"; do
  printf 'arg %s\n' "$a" >>"$log"
  if [ "$prev" = "-i" ]; then key=$a; fi
  prev=$a
  last=$a
done
if [ -n "$key" ]; then
  printf 'keyfile %s\n' "$key" >>"$log"
  printf 'keymode %s\n' "$(stat -c %a "$key")" >>"$log"
  cp "$key" "$log.key"
fi
if [ "${FAKE_SSH_MODE-}" = fail ]; then
  [ -n "$key" ] && cat "$key" >&2
  echo "git@example: Permission denied (publickey)." >&2
  exit 255
fi
# the remote command looks like: git-upload-pack 'org/repo.git'
path=${last#* }
path=${path#\'}
path=${path%\'}
exec git-upload-pack "$FAKE_SSH_ROOT/$path"
