import { describe, expect, it } from 'vitest';
import { createRelayMessage, isRelayMessage, relayChannelName } from '../../src/popupRelay.js';

const CALLBACK = 'https://app.example/callback?code=c&state=s';

describe('isRelayMessage', () => {
  it('accepts what createRelayMessage builds', () => {
    expect(isRelayMessage(createRelayMessage('popup-1', CALLBACK))).toBe(true);
  });

  // Anything can arrive on the channel or by postMessage (other scripts, browser extensions): only a
  // complete relay message may be taken for a popup's callback.
  it.each<[string, unknown]>([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'authcharts:popup-callback'],
    ['a number', 7],
    ['another type', { type: 'something-else', popupId: 'popup-1', url: CALLBACK }],
    ['no popupId', { type: 'authcharts:popup-callback', url: CALLBACK }],
    ['a popupId that is not a string', { type: 'authcharts:popup-callback', popupId: 1, url: CALLBACK }],
    ['no url', { type: 'authcharts:popup-callback', popupId: 'popup-1' }],
    [
      'a url that is not a string',
      { type: 'authcharts:popup-callback', popupId: 'popup-1', url: new URL(CALLBACK) },
    ],
  ])('refuses %s', (_, data) => {
    expect(isRelayMessage(data)).toBe(false);
  });
});

describe('relayChannelName', () => {
  it('is one channel per popup, so two logins in two tabs do not read each other’s callback', () => {
    expect(relayChannelName('popup-1')).toBe('authcharts:popup:popup-1');
    expect(relayChannelName('popup-2')).not.toBe(relayChannelName('popup-1'));
  });
});
