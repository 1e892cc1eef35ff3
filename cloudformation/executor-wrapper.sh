# shellcheck shell=bash
# The executor container's command on AWS (bash -c): unpacks docker/entrypoint.sh from the task
# definition (MYCLI_ENTRYPOINT_GZ, gzip + base64, written by npm run build), runs it, passes ECS's
# SIGTERM on to it, and ends the log with "mycli: exit N" so log readers know they have every line.
umask 077
f=/tmp/mycli-entrypoint.sh
if ! printf %s "${MYCLI_ENTRYPOINT_GZ-}" | base64 -d | gunzip >"$f" 2>/dev/null || [ ! -s "$f" ]; then
  echo "mycli: the executor image cannot unpack the mycli executor; it needs bash, coreutils (base64) and gzip"
  echo "mycli: exit 78"
  exit 78
fi
unset MYCLI_ENTRYPOINT_GZ
bash "$f" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null' TERM INT
while :; do
  wait "$pid"
  rc=$?
  kill -0 "$pid" 2>/dev/null || break
done
echo "mycli: exit $rc"
exit "$rc"
