// The channel form's values ↔ request body, without React: write-only secrets (absent keeps,
// null removes, never for a webhook), the rotation flag, quiet hours, and the summaries.
import { describe, expect, it } from 'vitest';
import { makeChannel } from '@/test/alerts';
import { CHANNEL_INPUTS, channelRequest, channelTarget, channelValues, emptyChannelValues, routingSummary, testResultText } from './channels';

describe('channelRequest', () => {
  it('sends an ntfy token when typed, and nothing about it otherwise', () => {
    const v = { ...emptyChannelValues(), name: ' phone ', kind: 'ntfy' as const, topic: 'cairn-ops', secret: 'tk_1' };
    expect(channelRequest(v, false)).toMatchObject({ name: 'phone', settings: { kind: 'ntfy', server_url: 'https://ntfy.sh', topic: 'cairn-ops' }, secret: 'tk_1' });
    expect(channelRequest({ ...v, secret: '' }, true)).not.toHaveProperty('secret');
    expect(channelRequest({ ...v, secret: '', removeSecret: true }, true).secret).toBeNull();
  });

  it('never sends a webhook secret, and rotates only when asked', () => {
    const v = { ...channelValues(makeChannel({ settings: { kind: 'webhook', url: 'https://h.example.org' } })), secret: 'x' };
    expect(channelRequest(v, true)).not.toHaveProperty('secret');
    expect(channelRequest(v, true).rotate_secret).toBe(false);
    expect(channelRequest(v, true, true).rotate_secret).toBe(true);
  });

  it('round-trips an email channel with quiet hours and rules', () => {
    const channel = makeChannel({ rules: ['backup_failed'], host_tag: 'prod', quiet: { from: '22:00', to: '07:00', zone: 'Europe/Berlin' } });
    const body = channelRequest(channelValues(channel), true);
    expect(body).toEqual({
      name: 'ops mail',
      enabled: true,
      settings: channel.settings,
      min_severity: 'warning',
      rules: ['backup_failed'],
      host_tag: 'prod',
      quiet: { from: '22:00', to: '07:00', zone: 'Europe/Berlin' },
      rotate_secret: false,
    });
  });

  it('maps the server’s field names onto the inputs', () => {
    expect(CHANNEL_INPUTS['settings.url']).toBe('url');
    expect(CHANNEL_INPUTS['quiet.zone']).toBe('quietZone');
    expect(CHANNEL_INPUTS['settings.from']).toBe('from');
  });
});

describe('summaries', () => {
  it('says where a channel sends and how it is routed', () => {
    expect(channelTarget(makeChannel({ settings: { kind: 'ntfy', server_url: 'https://ntfy.sh/', topic: 'ops' } }))).toBe('https://ntfy.sh/ops');
    expect(routingSummary(makeChannel({ min_severity: 'critical', rules: ['agent_offline'] }))).toBe('critical only · rules: Agent offline');
  });

  it('words a test result', () => {
    expect(testResultText({ delivered: true, status: 250, elapsed_ms: 312 })).toBe('Delivered in 312 ms (250)');
    expect(testResultText({ delivered: false, elapsed_ms: 5000, error: 'timed out' })).toBe('Not delivered: timed out');
  });
});
