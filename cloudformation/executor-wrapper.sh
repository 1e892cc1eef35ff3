# shellcheck shell=bash
# The executor container's command on AWS (bash -c): unpacks docker/entrypoint.sh from the task
# definition (MYCLI_ENTRYPOINT_GZ, gzip + base64, written by npm run build) and becomes it. It must
# not stay: ECS gives the Git credentials to the container's first process, and a process that
# kept them would show them to the command in /proc/1/environ. The entrypoint, PID 1 in its place,
# takes ECS's SIGTERM, drops the credentials from its own environment before the command starts,
# and ends the log with "mycli: exit N" (MYCLI_EXIT_LINE) so log readers know they have every line.
umask 077
f=/tmp/mycli-entrypoint.sh
if ! printf %s "${MYCLI_ENTRYPOINT_GZ-}" | base64 -d | gunzip >"$f" 2>/dev/null || [ ! -s "$f" ]; then
  echo "mycli: the executor image cannot unpack the mycli executor; it needs bash, coreutils (base64) and gzip"
  echo "mycli: exit 78"
  exit 78
fi
unset MYCLI_ENTRYPOINT_GZ
export MYCLI_EXIT_LINE=1
exec bash "$f"
