/**
 * The real fetch with a log of what the client sent: the bench counts requests where they leave
 * the library, per endpoint and grant type, and sees which ones were aborted. (The integration
 * tests' `recordingFetch` imports vitest, which the bench does not run under, and keeps no grant
 * type.)
 */

export interface SentRequest {
  method: string;
  /** Path only: `/token`, `/.well-known/openid-configuration` … */
  path: string;
  /** `grant_type` of a form-encoded POST (token endpoint). */
  grantType: string | undefined;
  /** Its signal aborted before the answer arrived. */
  aborted: boolean;
}

export interface RequestRecorder {
  fetch: typeof fetch;
  sent: SentRequest[];
  /** Called with each request as it leaves (after it is logged). */
  onSend?: (request: SentRequest) => void;
}

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export function recordRequests(): RequestRecorder {
  const recorder: RequestRecorder = {
    sent: [],
    fetch: (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const body = init?.body;
      const request: SentRequest = {
        method: init?.method ?? (input instanceof Request ? input.method : 'GET'),
        path: url.pathname,
        grantType: body instanceof URLSearchParams ? (body.get('grant_type') ?? undefined) : undefined,
        aborted: false,
      };
      recorder.sent.push(request);
      const answer = fetch(input, init);
      let answered = false;
      answer.then(
        () => {
          answered = true;
        },
        () => {},
      );
      init?.signal?.addEventListener('abort', () => {
        if (!answered) request.aborted = true;
      });
      recorder.onSend?.(request);
      return answer;
    },
  };
  return recorder;
}

/** Requests to `path` (and, for the token endpoint, of one grant type). */
export function countSent(sent: readonly SentRequest[], path: string, grantType?: string): number {
  return sent.filter((r) => r.path === path && (grantType === undefined || r.grantType === grantType)).length;
}
