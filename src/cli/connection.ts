// Where Gatewire is and who calls it: GATEWIRE_URL and GATEWIRE_API_KEY from the environment
// (a pipeline's secrets), checked before any request.
import { BadInput } from './exit-codes.js';

export interface Connection {
  baseUrl: string;
  apiKey: string;
}

export function connectionFromEnv(env: Readonly<Record<string, string | undefined>>): Connection {
  const url = env['GATEWIRE_URL']?.trim();
  const apiKey = env['GATEWIRE_API_KEY']?.trim();
  if (!url) throw new BadInput('GATEWIRE_URL is not set: set it to the base URL of Gatewire, e.g. https://gatewire.example.com');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BadInput(`GATEWIRE_URL is not a URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new BadInput(`GATEWIRE_URL must be an http or https URL, not ${parsed.protocol}`);
  }
  if (!apiKey) throw new BadInput('GATEWIRE_API_KEY is not set: set it to a Gatewire API key');
  return { baseUrl: url, apiKey };
}
