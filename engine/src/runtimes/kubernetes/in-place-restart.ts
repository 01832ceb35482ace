// `sync+restart` (and `devenv restart`) in a pod, without losing the files synced into it. A
// container that restarts starts again from its image, and a new pod as well, so a plain restart
// would run the image's code and get the saved files only after the process started. Services
// with a `sync+restart` rule therefore run under a small POSIX sh wrapper as PID 1 (Tilt's
// restart_process does the same with a binary): it runs the service's command as its child and,
// on SIGHUP, stops and starts that child in the same container. It also passes TERM, INT and QUIT
// to the child (as PID 1 a program that installs no handler would ignore them).
//
// Known limits, documented in docs/kubernetes.md: the image needs /bin/sh; as a background job of
// a non-interactive shell the child starts with SIGINT and SIGQUIT ignored (programs that install
// their own handlers, as servers do, are unaffected).

/** The wrapper. Arguments: GRACE (seconds a stopping child gets before SIGKILL), `--`, the command. */
export const RESTART_WRAPPER = `grace=$1; shift 2
exec 3<&0
child=0; restart=0; killer=0
signal_child() { [ "$child" -gt 0 ] && kill -"$1" "$child" 2>/dev/null; }
trap 'restart=1; signal_child TERM; (sleep "$grace"; kill -KILL "$child" 2>/dev/null) & killer=$!' HUP
trap 'signal_child TERM' TERM
trap 'signal_child INT' INT
trap 'signal_child QUIT' QUIT
while :; do
  "$@" <&3 3<&- &
  child=$!
  while :; do
    wait "$child"; status=$?
    kill -0 "$child" 2>/dev/null || break
  done
  [ "$killer" -gt 0 ] && kill "$killer" 2>/dev/null; killer=0
  [ "$restart" = 1 ] || exit "$status"
  restart=0
done
`;

/** The container command that runs `argv` under the wrapper. */
export function wrapForRestart(argv: readonly string[], graceSeconds: number): string[] {
  return ['/bin/sh', '-c', RESTART_WRAPPER, 'devenv-restart', String(Math.max(1, graceSeconds)), '--', ...argv];
}

/** Whether a container command is the wrapper (the runtime then restarts in place). */
export function isWrappedForRestart(command: readonly string[] | undefined): boolean {
  return command?.[0] === '/bin/sh' && command[1] === '-c' && command[2] === RESTART_WRAPPER;
}

/** What devenv runs in the container (an exec) to restart the service's process in place. */
export const RESTART_IN_PLACE = ['/bin/sh', '-c', 'kill -HUP 1'];
