import { OperationProcessingError, ResponseBodyError, UnsupportedOperationError } from 'oauth4webapi';
import { AuthchartsError, grantErrors, OAuthError, ProtocolError } from '../src/errors.js';

const isAbort = (error: unknown): boolean => error instanceof Error && error.name === 'AbortError';

/**
 * Turns whatever a request threw into the error the app sees: an OAuth error body becomes its
 * grant error class (RFC 6749 §5.2), a malformed answer a `ProtocolError`; a failed fetch is
 * already a `NetworkError` (see `requestOptions`). The originals are dropped on purpose: oauth4webapi attaches the response body
 * or callback parameters as `cause`, and those can hold tokens or codes.
 */
export function toFlowError(error: unknown): Error {
  if (error instanceof OAuthError || error instanceof AuthchartsError || isAbort(error))
    return error as Error;
  if (error instanceof ResponseBodyError) {
    const ErrorClass = grantErrors.select(error.error);
    const body = error.cause as Record<string, unknown>;
    return new ErrorClass({
      error: error.error,
      error_description: error.error_description,
      error_uri: typeof body?.error_uri === 'string' ? body.error_uri : undefined,
    });
  }
  if (error instanceof OperationProcessingError || error instanceof UnsupportedOperationError) {
    const cause = (error as { cause?: unknown }).cause;
    const status = cause instanceof Response ? cause.status : undefined;
    return new ProtocolError(error.message, status);
  }
  return new ProtocolError('The request to the authorization server failed');
}
