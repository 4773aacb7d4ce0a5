import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, apiRequest } from './api.ts';
import { setLocale } from './locale.ts';

function answer(status: number, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' },
  });
}

afterEach(() => {
  vi.unstubAllGlobals();
  setLocale('zh-CN');
});

describe('API client', () => {
  it('calls /api/v1 with cookies, JSON and the current language', async () => {
    const fetchMock = vi.fn(async (_url: string, _init?: RequestInit) => answer(200, { status: 'ok', version: '1.2.3' }));
    vi.stubGlobal('fetch', fetchMock);
    setLocale('en');

    await expect(api.health()).resolves.toEqual({ status: 'ok', version: '1.2.3' });
    await apiRequest('POST', '/staff/sessions', { body: { username: 'a' }, query: { state: 'submitted', page: 2, none: undefined } });

    const [healthUrl, healthInit] = fetchMock.mock.calls[0]!;
    expect(healthUrl).toBe('/api/v1/health');
    expect(healthInit).toMatchObject({ method: 'GET', credentials: 'include', headers: { 'Accept-Language': 'en' } });
    const [postUrl, postInit] = fetchMock.mock.calls[1]!;
    expect(postUrl).toBe('/api/v1/staff/sessions?state=submitted&page=2');
    expect(postInit?.body).toBe('{"username":"a"}');
    expect(postInit?.headers).toMatchObject({ 'Content-Type': 'application/json' });
  });

  it('turns an error answer into an ApiError with its code, status and message', async () => {
    vi.stubGlobal('fetch', async () => answer(409, { error: { code: 'STATE_CHANGED', message: '办件状态已变化', details: { state: 'accepted' } } }));
    const error = await api.provinces().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'STATE_CHANGED', status: 409, message: '办件状态已变化', details: { state: 'accepted' } });
  });

  it('explains in the current language when the server cannot be reached or answers without an error body', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('fetch failed');
    });
    await expect(api.businesses()).rejects.toMatchObject({ code: 'NETWORK_ERROR', status: 0, message: expect.stringContaining('网络') });

    setLocale('en');
    vi.stubGlobal('fetch', async () => new Response('<html>Bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }));
    await expect(api.businesses()).rejects.toMatchObject({ code: 'HTTP_502', status: 502, message: expect.stringContaining('unavailable') });
  });

  it('accepts an empty 204 answer', async () => {
    vi.stubGlobal('fetch', async () => answer(204));
    await expect(apiRequest('DELETE', '/auth/sessions/current')).resolves.toBeUndefined();
  });
});
