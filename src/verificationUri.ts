/**
 * The Webex QR deep link: when `verification_uri_complete` carries a `userCode` query parameter,
 * the Webex client shows `https://web.webex.com/deviceAuth?usercode=…&oauthhelper=…` instead, so
 * the phone opens the Webex web app. Without `userCode` the URI is used as given; without an
 * oauth-helper URL no `oauthhelper` parameter is written (the plugin wrote `undefined`).
 */
export function webexVerificationUri(
  verificationUriComplete: string,
  deepLinkBase: string,
  oauthHelperUrl: string | undefined,
): string {
  let userCode: string | null;
  try {
    userCode = new URL(verificationUriComplete).searchParams.get('userCode');
  } catch {
    return verificationUriComplete;
  }
  if (!userCode) return verificationUriComplete;
  const link = new URL(deepLinkBase);
  link.searchParams.set('usercode', userCode);
  if (oauthHelperUrl) link.searchParams.set('oauthhelper', oauthHelperUrl);
  return link.href;
}
