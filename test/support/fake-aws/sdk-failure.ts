// What a test wants to see of a failed SDK call: the error name the SDK derived from
// `x-amzn-errortype`, the message, the HTTP status and request id from `$metadata`, and the
// modeled extra members (LimitType, ResourceType, Reason, retryAfterSeconds, …).

export interface SdkFailure {
  name: string;
  message: string;
  status?: number;
  requestId?: string;
  [member: string]: unknown;
}

/** Awaits `promise` and returns its SDK failure; throws when the call unexpectedly succeeded. */
export async function sdkFailureOf(promise: Promise<unknown>): Promise<SdkFailure> {
  try {
    await promise;
  } catch (error) {
    const e = error as Record<string, unknown> & { name: string; message: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
    return { ...e, name: e.name, message: e.message, status: e.$metadata?.httpStatusCode, requestId: e.$metadata?.requestId };
  }
  throw new Error('expected the call to fail, but it succeeded');
}
