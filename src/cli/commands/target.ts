// `--target <name>` (issue 19): the commands that address an API act on it in that target, through
// the `/v1/targets/{target}/apis/…` paths. Without it they use the paths of before targets, which
// are the `default` target, so a newer CLI still drives an older Gatewire.

/** How text output names the API: with its target when one was given. */
export function apiLabel(options: { api: string; target?: string }): string {
  return options.target === undefined ? options.api : `${options.api} in target ${options.target}`;
}
