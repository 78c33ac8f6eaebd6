// The CLI's exit codes, for pipelines: 2 is always found before any request is sent.
export const EXIT_OK = 0;
/** The service refused the request, or the change failed (the problem is printed). */
export const EXIT_FAILED = 1;
/** Bad input: usage, a missing or invalid route map file, GATEWIRE_URL or GATEWIRE_API_KEY missing. */
export const EXIT_BAD_INPUT = 2;

/** Input the CLI refuses before any request; its message names the problem. */
export class BadInput extends Error {
  override readonly name = 'BadInput';
}
