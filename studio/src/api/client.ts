// A tiny fetch wrapper over /api: adds the stored API key and turns problem+json into errors.
export const API_KEY_STORAGE = 'kizuna.apiKey';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
  ) {
    super(detail ? `${title}: ${detail}` : title);
    this.name = 'ApiError';
  }
}

export function storedApiKey(): string | null {
  return localStorage.getItem(API_KEY_STORAGE);
}

export async function apiGet<T>(path: string): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const key = storedApiKey();
  if (key) headers.Authorization = `Bearer ${key}`;

  const response = await fetch(`/api${path}`, { headers });
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok) throw await toApiError(response, type);
  if (!type.includes('json')) {
    throw new ApiError(response.status, 'Unexpected response', `expected JSON, got ${type || 'nothing'}`);
  }
  return (await response.json()) as T;
}

async function toApiError(response: Response, type: string): Promise<ApiError> {
  if (type.includes('json')) {
    const problem = (await response.json().catch(() => ({}))) as { title?: string; detail?: string };
    return new ApiError(response.status, problem.title ?? response.statusText, problem.detail);
  }
  return new ApiError(response.status, `HTTP ${response.status}`, response.statusText || undefined);
}
