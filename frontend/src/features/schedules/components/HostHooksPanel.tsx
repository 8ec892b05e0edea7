// The Schedules tab's "Default hooks" (admins only, schedules_hooks): a pre and a post command
// every schedule of the host runs, unless the schedule has its own hook in that slot. Folded
// by default, with what is set in its header; the same fields and warning as a schedule's hooks.
// Nobody else sees the panel, and it is never asked for them (the server would answer 403).
import { Box, Button, Collapse, Group, Paper, Skeleton, Stack, Text, UnstyledButton } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconChevronDown, IconChevronRight, IconDeviceFloppy, IconTrash } from '@tabler/icons-react';
import { useId, useState } from 'react';
import { errorMessage, inputFor } from '@/api/errors';
import type { BackupHooks, Host } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { usePermission } from '@/lib/auth';
import { submitOnModEnter } from '@/lib/keyboard';
import { notifyError, notifySuccess } from '@/lib/notify';
import { DEFAULT_HOOK_TIMEOUT, hookCommandRule, hookTimeoutRule, hooksOf, newScheduleValues, type ScheduleValues } from '../form';
import { useHostHooks, useSetHostHooks } from '../hostHooksApi';
import { HooksFieldset } from './HooksFieldset';

/** `details.field` of `schedule.invalid_hook` → the command input it is about. */
const HOOK_INPUTS: Readonly<Record<string, 'hookPre' | 'hookPost'>> = {
  hooks: 'hookPre',
  'hooks.pre': 'hookPre',
  'hooks.post': 'hookPost',
};

/** What the header says is set. */
export function hooksSummary(hooks: BackupHooks | undefined): string {
  if (!hooks) return '';
  if (hooks.pre && hooks.post) return 'A pre-hook and a post-hook';
  if (hooks.pre) return 'A pre-hook';
  if (hooks.post) return 'A post-hook';
  return 'None: each schedule runs only its own hooks';
}

/**
 * The hook fields reuse the schedule editor's (HooksFieldset reads a schedule's values): a
 * schedule's values with only the hooks filled in; only those are read or sent.
 */
function hookValues(hooks: BackupHooks): ScheduleValues {
  return {
    ...newScheduleValues([]),
    hookPre: hooks.pre?.command ?? '',
    hookPreTimeout: hooks.pre?.timeout_secs ?? DEFAULT_HOOK_TIMEOUT,
    hookPost: hooks.post?.command ?? '',
    hookPostTimeout: hooks.post?.timeout_secs ?? DEFAULT_HOOK_TIMEOUT,
  };
}

function validateHooks(v: ScheduleValues): Record<string, string> {
  const errors: Record<string, string> = {};
  const set = (field: string, error: string | null) => {
    if (error) errors[field] = error;
  };
  set('hookPre', hookCommandRule(v.hookPre));
  set('hookPost', hookCommandRule(v.hookPost));
  if (v.hookPre.trim()) set('hookPreTimeout', hookTimeoutRule(v.hookPreTimeout));
  if (v.hookPost.trim()) set('hookPostTimeout', hookTimeoutRule(v.hookPostTimeout));
  return errors;
}

function HostHooksForm({ host, hooks }: { host: Host; hooks: BackupHooks }) {
  const save = useSetHostHooks(host.id);
  const remove = useSetHostHooks(host.id);
  const form = useForm<ScheduleValues>({ initialValues: hookValues(hooks), validate: validateHooks });
  const hasAny = Boolean(hooks.pre ?? hooks.post);
  const onField = inputFor(save.error, HOOK_INPUTS) !== undefined;
  const formId = useId();
  /** Gives the first field with an error the focus (keyboard users land on it). */
  const focusFirstError = () =>
    requestAnimationFrame(() => {
      const invalid = document.getElementById(formId)?.querySelector<HTMLElement>('[aria-invalid="true"]');
      invalid?.scrollIntoView({ block: 'center' });
      invalid?.focus();
    });

  const submit = form.onSubmit((values) =>
    save.mutate(hooksOf(values), {
      onSuccess: (saved) => {
        form.setValues(hookValues(saved));
        form.resetDirty(hookValues(saved));
        notifySuccess(
          saved.pre || saved.post
            ? `Default hooks saved; ${host.hostname}’s agent runs them from its next configuration.`
            : `${host.hostname} has no default hooks now.`,
        );
      },
      onError: (error) => {
        const input = inputFor(error, HOOK_INPUTS);
        if (input) {
          form.setFieldError(input, errorMessage(error));
          focusFirstError();
        }
      },
    }),
    focusFirstError,
  );

  return (
    <form id={formId} noValidate onSubmit={submit} onKeyDown={submitOnModEnter} aria-label={`Default hooks of ${host.hostname}`}>
      <Stack gap="sm">
        <Text size="sm">
          Every schedule of {host.hostname} runs these. A schedule’s own pre or post hook replaces the default of that slot.
        </Text>
        {save.error && !onField ? <ErrorAlert error={save.error} title="Could not save the default hooks" /> : null}
        <ErrorAlert error={remove.error} title="Could not remove the default hooks" />
        <HooksFieldset form={form} canEdit hasHooks={hasAny} />
        <Group justify="space-between" gap="xs">
          {hasAny ? (
            <Button
              variant="subtle"
              color="red"
              leftSection={<IconTrash size={16} />}
              loading={remove.isPending}
              onClick={() =>
                remove.mutate(
                  {},
                  {
                    onSuccess: (saved) => {
                      form.setValues(hookValues(saved));
                      form.resetDirty(hookValues(saved));
                      notifySuccess(`${host.hostname} has no default hooks now.`);
                    },
                    onError: (error) => notifyError('Could not remove the default hooks', error),
                  },
                )
              }
            >
              Remove default hooks
            </Button>
          ) : (
            <span />
          )}
          <Button type="submit" leftSection={<IconDeviceFloppy size={16} />} loading={save.isPending}>
            Save default hooks
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function HostHooksPanel({ host }: { host: Host }) {
  const canHooks = usePermission('schedules_hooks');
  const hooks = useHostHooks(host.id, { enabled: canHooks });
  const [open, setOpen] = useState(false);
  const bodyId = useId();
  if (!canHooks) return null;
  const summary = hooks.isPending ? 'Loading…' : hooks.isError ? 'Could not load them' : hooksSummary(hooks.data);
  return (
    <Paper withBorder radius="md" data-testid="host-hooks-panel">
      <UnstyledButton
        onClick={() => setOpen((o) => !o)}
        aria-expanded={open}
        aria-controls={bodyId}
        w="100%"
        p={{ base: 'sm', sm: 'md' }}
        data-testid="host-hooks-toggle"
      >
        <Group gap="xs" wrap="nowrap" align="flex-start">
          {open ? <IconChevronDown size={18} style={{ flexShrink: 0, marginTop: 2 }} /> : <IconChevronRight size={18} style={{ flexShrink: 0, marginTop: 2 }} />}
          <Box style={{ flex: 1, minWidth: 0 }}>
            <Text fw={600} size="sm">
              Default hooks for every schedule of this host
            </Text>
            <Text size="xs" c="dimmed" data-testid="host-hooks-summary">
              {summary}
            </Text>
          </Box>
        </Group>
      </UnstyledButton>
      <Collapse expanded={open}>
        <Box id={bodyId} px={{ base: 'sm', sm: 'md' }} pb={{ base: 'sm', sm: 'md' }}>
          <ErrorAlert error={hooks.error} title="Could not load the default hooks" />
          {hooks.isPending ? <Skeleton height={120} /> : null}
          {hooks.data ? <HostHooksForm key={host.id} host={host} hooks={hooks.data} /> : null}
        </Box>
      </Collapse>
    </Paper>
  );
}
