// The editor's "Hooks" (admins only, schedules_hooks): a command run before each backup and
// one after, each with its timeout, under a warning of what they can do. Everyone else sees
// only whether the schedule has hooks: the server neither shows them nor lets them be changed.
import { Alert, Code, Fieldset, Grid, NumberInput, Stack, Text, Textarea } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { IconAlertTriangle, IconLock } from '@tabler/icons-react';
import type { ScheduleValues } from '../form';
import { MAX_HOOK_TIMEOUT } from '../form';

const mono = { input: { fontFamily: 'var(--mantine-font-family-monospace)' } };
const noSpellcheck = { spellCheck: false, autoCapitalize: 'off', autoComplete: 'off' } as const;

function HookFields({ form, phase }: { form: UseFormReturnType<ScheduleValues>; phase: 'pre' | 'post' }) {
  const command = phase === 'pre' ? 'hookPre' : 'hookPost';
  const timeout = phase === 'pre' ? 'hookPreTimeout' : 'hookPostTimeout';
  const name = phase === 'pre' ? 'Pre-hook' : 'Post-hook';
  return (
    <Grid gap="sm">
      <Grid.Col span={{ base: 12, sm: 8 }}>
      <Textarea
        label={`${name} command`}
        description={phase === 'pre' ? 'Runs before restic; empty for none.' : 'Runs after every run, failed ones too; empty for none.'}
        placeholder={phase === 'pre' ? 'pg_dump -Fc app > /var/backups/app.dump' : 'curl -fsS "https://hc.example/ping?status=$CAIRN_JOB_STATUS"'}
        autosize
        minRows={2}
        maxRows={8}
        styles={mono}
        {...noSpellcheck}
        {...form.getInputProps(command)}
      />
      </Grid.Col>
      <Grid.Col span={{ base: 12, sm: 4 }}>
      <NumberInput
        label={`${name} timeout`}
        description="Seconds; then it is killed."
        rightSection={
          <Text size="xs" c="dimmed">
            s
          </Text>
        }
        min={1}
        max={MAX_HOOK_TIMEOUT}
        allowDecimal={false}
        allowNegative={false}
        hideControls
        disabled={!form.values[command].trim()}
        {...form.getInputProps(timeout)}
      />
      </Grid.Col>
    </Grid>
  );
}

export function HooksFieldset({ form, canEdit, hasHooks }: { form: UseFormReturnType<ScheduleValues>; canEdit: boolean; hasHooks: boolean }) {
  if (!canEdit) {
    return hasHooks ? (
      <Alert color="gray" variant="light" icon={<IconLock size={18} />} role="note" data-testid="hooks-hidden">
        <Text size="sm">This schedule has hooks; only admins can see or change them.</Text>
      </Alert>
    ) : null;
  }
  return (
    <Fieldset legend="Hooks" data-testid="hooks-fieldset">
      <Stack gap="sm">
        <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} p="xs" role="note" data-testid="hooks-warning">
          <Stack gap={4}>
            <Text size="sm">
              Hooks run on the host with <Code>/bin/sh -c</Code> as the agent’s user (often root): whoever sets them can run
              anything there.
            </Text>
            <Text size="sm">
              A pre-hook that fails (exits non-zero or runs past its timeout) stops the backup: it fails with{' '}
              <Code>hook_failed</Code> and restic does not run.
            </Text>
            <Text size="sm">
              The post-hook always runs, failed runs included, with <Code>CAIRN_JOB_STATUS</Code> and <Code>CAIRN_JOB_ID</Code> in
              its environment.
            </Text>
          </Stack>
        </Alert>
        <HookFields form={form} phase="pre" />
        <HookFields form={form} phase="post" />
      </Stack>
    </Fieldset>
  );
}
