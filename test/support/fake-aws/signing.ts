// Where a signed request is aimed: the region of its SigV4 credential scope
// (`Credential=AKID/20261205/eu-west-1/apigateway/aws4_request`). Every SDK client of the fake
// shares one endpoint (127.0.0.1), so the signing scope is what tells the regions apart, as the
// regional endpoint does at AWS.
export function signingRegionOf(authorization: string | undefined): string | undefined {
  return /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\//.exec(authorization ?? '')?.[1];
}

/** Where one request lands: the caller's account (from its access key) and the signing region. */
export interface FakeScope {
  accountId: string;
  region: string;
}

export function scopeKey(scope: FakeScope): string {
  return `${scope.accountId}/${scope.region}`;
}
