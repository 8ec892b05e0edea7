// Add or edit one notification channel: its kind's fields, the write-only secret (kept unless
// typed or removed), routing and quiet hours; a refusal naming a field lands on that field.
import {
  Alert,
  Button,
  Checkbox,
  Divider,
  Group,
  MultiSelect,
  NumberInput,
  PasswordInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  TagsInput,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconRefresh } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { errorMessage, inputFor } from '@/api/errors';
import { ALERT_RULES, ALERT_SEVERITIES, type Channel, type ChannelSaved } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { RULE_LABEL, SEVERITY_META } from '@/lib/alerts';
import { timeZones } from '@/lib/zones';
import { useSaveChannel } from '../api';
import { CHANNEL_INPUTS, CHANNEL_KINDS, SMTP_SECURITY, channelRequest, channelValues, emptyChannelValues, type ChannelFormValues } from '../channels';

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

interface Props {
  /** The channel to edit; absent to add one. */
  channel?: Channel;
  onSaved: (saved: ChannelSaved) => void;
  onCancel: () => void;
}

export function ChannelForm({ channel, onSaved, onCancel }: Props) {
  const editing = channel !== undefined;
  const save = useSaveChannel(channel?.id ?? null);
  const zones = useMemo(() => timeZones(), []);
  const form = useForm<ChannelFormValues>({
    initialValues: channel ? channelValues(channel) : emptyChannelValues(),
    validate: {
      name: (v) => (v.trim() ? null : 'Give the channel a name'),
      host: (v, all) => (all.kind === 'email' && !v.trim() ? 'The SMTP server is required' : null),
      port: (v, all) => (all.kind === 'email' && !(Number(v) >= 1 && Number(v) <= 65535) ? 'A port from 1 to 65535' : null),
      from: (v, all) => (all.kind === 'email' && !v.trim() ? 'The sender address is required' : null),
      to: (v, all) => (all.kind === 'email' && v.length === 0 ? 'Add at least one recipient' : null),
      serverUrl: (v, all) => (all.kind === 'ntfy' && !v.trim() ? 'The ntfy server is required' : null),
      topic: (v, all) => (all.kind === 'ntfy' && !v.trim() ? 'The topic is required' : null),
      url: (v, all) => (all.kind === 'webhook' && !v.trim() ? 'The URL is required' : null),
      quietFrom: (v, all) => (all.quietOn && !HHMM.test(v) ? 'As HH:MM, e.g. 22:00' : null),
      quietTo: (v, all) => (all.quietOn && !HHMM.test(v) ? 'As HH:MM, e.g. 07:00' : null),
      quietZone: (v, all) => (all.quietOn && !v.trim() ? 'Pick a time zone' : null),
    },
  });
  const [showPem, setShowPem] = useState(Boolean(form.values.caPem));
  const v = form.values;
  // A refusal about a field is shown on it; anything else goes above the form.
  const onField = inputFor(save.error, CHANNEL_INPUTS) !== undefined;

  const submit = (values: ChannelFormValues, rotate = false) =>
    save.mutate(channelRequest(values, editing, rotate), {
      onSuccess: onSaved,
      onError: (error) => {
        const input = inputFor(error, CHANNEL_INPUTS);
        if (input) form.setFieldError(input, errorMessage(error));
      },
    });

  const secretLabel = v.kind === 'email' ? 'Password' : 'Access token';
  const secretInput =
    v.kind === 'webhook' ? null : (
      <Stack gap={4}>
        <PasswordInput
          label={secretLabel}
          description={v.kind === 'email' ? 'Write-only: Cairn never shows it again.' : 'Only for a protected topic. Write-only.'}
          placeholder={editing && channel.has_secret ? 'unchanged' : undefined}
          autoComplete="new-password"
          disabled={v.removeSecret}
          {...form.getInputProps('secret')}
        />
        {editing && channel.has_secret ? (
          <Checkbox
            label={v.kind === 'email' ? 'Remove the password' : 'Remove the access token'}
            {...form.getInputProps('removeSecret', { type: 'checkbox' })}
          />
        ) : null}
      </Stack>
    );

  return (
    <form onSubmit={form.onSubmit((values) => submit(values))} data-testid="channel-form" noValidate>
      <Stack gap="sm">
        {save.error && !onField ? <ErrorAlert error={save.error} title="Could not save the channel" /> : null}
        <TextInput label="Name" required data-autofocus {...form.getInputProps('name')} />
        <Stack gap={4}>
          <Text size="sm" fw={500} id="channel-kind-label">
            Kind
          </Text>
          <SegmentedControl
            aria-labelledby="channel-kind-label"
            data={CHANNEL_KINDS.map((k) => ({ ...k }))}
            value={v.kind}
            onChange={(kind) => form.setFieldValue('kind', kind)}
            disabled={editing}
            fullWidth
          />
          {editing ? (
            <Text size="xs" c="dimmed">
              The kind is fixed; add another channel for another kind.
            </Text>
          ) : null}
        </Stack>
        <Switch label="Enabled" {...form.getInputProps('enabled', { type: 'checkbox' })} />

        {v.kind === 'email' ? (
          <>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <TextInput label="SMTP server" required placeholder="smtp.example.org" {...form.getInputProps('host')} />
              <NumberInput label="Port" required min={1} max={65535} allowDecimal={false} {...form.getInputProps('port')} />
              <Select
                label="Security"
                data={SMTP_SECURITY.map((s) => ({ ...s }))}
                allowDeselect={false}
                {...form.getInputProps('security')}
              />
              <TextInput label="Username" autoComplete="off" {...form.getInputProps('username')} />
            </SimpleGrid>
            {secretInput}
            <TextInput label="From" required placeholder="cairn@example.org" {...form.getInputProps('from')} />
            <TagsInput
              label="Recipients"
              required
              description="Press Enter or a comma after each address."
              placeholder="ops@example.org"
              splitChars={[',', ' ', ';']}
              {...form.getInputProps('to')}
            />
            <Checkbox label="Trust a certificate of my own (PEM)" checked={showPem} onChange={(e) => setShowPem(e.currentTarget.checked)} />
            {showPem ? (
              <Textarea
                label="Trusted certificate (PEM)"
                description="For a mail server whose certificate is not signed by a public authority."
                autosize
                minRows={3}
                maxRows={10}
                styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
                {...form.getInputProps('caPem')}
              />
            ) : null}
          </>
        ) : null}

        {v.kind === 'ntfy' ? (
          <>
            <TextInput label="Server URL" required {...form.getInputProps('serverUrl')} />
            <TextInput label="Topic" required {...form.getInputProps('topic')} />
            {secretInput}
          </>
        ) : null}

        {v.kind === 'webhook' ? (
          <>
            <TextInput
              label="URL"
              required
              placeholder="https://hooks.example.org/cairn"
              description="Cairn POSTs each alert as JSON, signed with the channel's secret (shown once, when it is made)."
              {...form.getInputProps('url')}
            />
            {editing ? (
              <Group gap="sm">
                <Button
                  variant="default"
                  leftSection={<IconRefresh size={16} />}
                  loading={save.isPending}
                  onClick={() => {
                    if (!form.validate().hasErrors) submit(form.values, true);
                  }}
                >
                  Rotate the signing secret
                </Button>
                <Text size="xs" c="dimmed">
                  Saves the channel with a new secret; the old one stops working at once.
                </Text>
              </Group>
            ) : null}
          </>
        ) : null}

        <Divider label="Routing" labelPosition="left" />
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <Select
            label="Least severity"
            data={ALERT_SEVERITIES.map((s) => ({ value: s, label: SEVERITY_META[s].label }))}
            allowDeselect={false}
            {...form.getInputProps('minSeverity')}
          />
          <TextInput label="Only hosts tagged" placeholder="every host" {...form.getInputProps('hostTag')} />
        </SimpleGrid>
        <MultiSelect
          label="Rules"
          placeholder={v.rules.length === 0 ? 'All rules' : undefined}
          description="Empty: every rule."
          data={ALERT_RULES.map((r) => ({ value: r, label: RULE_LABEL[r] }))}
          clearable
          {...form.getInputProps('rules')}
        />
        <Switch
          label="Quiet hours"
          description="Between these times only critical alerts go out; the others wait until the end."
          {...form.getInputProps('quietOn', { type: 'checkbox' })}
        />
        {v.quietOn ? (
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
            <TextInput label="Quiet from" placeholder="22:00" {...form.getInputProps('quietFrom')} />
            <TextInput label="Quiet to" placeholder="07:00" {...form.getInputProps('quietTo')} />
            <Select label="Time zone" searchable data={zones} allowDeselect={false} {...form.getInputProps('quietZone')} />
          </SimpleGrid>
        ) : null}
        {editing && v.kind !== 'webhook' && v.removeSecret ? (
          <Alert color="yellow" variant="light">
            Saving removes the stored {secretLabel.toLowerCase()}.
          </Alert>
        ) : null}
        <SaveActions editing={editing} loading={save.isPending} onCancel={onCancel} />
      </Stack>
    </form>
  );
}

/** Cancel and Save; the Save carries the testid the end-to-end tests press. */
function SaveActions({ editing, loading, onCancel }: { editing: boolean; loading: boolean; onCancel: () => void }) {
  return (
    <Group justify="flex-end" mt="sm">
      <Button variant="default" onClick={onCancel}>
        Cancel
      </Button>
      <Button type="submit" loading={loading} data-testid="channel-save">
        {editing ? 'Save' : 'Add channel'}
      </Button>
    </Group>
  );
}
