// The restore wizard, opened from the snapshot browser: what (the picked paths, excludes),
// where (a new directory, the original location or another host — the last two need
// `restores_anywhere`), how (overwrite policy, deleting extra files, verifying), a preview the
// agent computes, and a confirmation (the host's name for the original location, a checkbox for
// risky targets). Starting it opens the job's page, which follows it live.
import {
  Alert,
  Button,
  Checkbox,
  Group,
  Loader,
  Modal,
  Radio,
  Select,
  Stack,
  Stepper,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconAlertTriangle, IconInfoCircle } from '@tabler/icons-react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { ApiError, errorMessage, fieldOf } from '@/api/errors';
import { PHONE_QUERY } from '@/components/DataTable';
import { ErrorAlert } from '@/components/ErrorAlert';
import { usePermission } from '@/lib/auth';
import { paths as appPaths } from '@/lib/paths';
import { useCreateRestore, useRestoreHosts, useRestorePreview } from '../restoreApi';
import {
  buildRestoreBody,
  confirmRules,
  initialRestoreForm,
  isSystemDir,
  newTargetPath,
  OVERWRITE_CHOICES,
  targetProblems,
  writesOriginal,
  type RestoreForm,
} from '../restore';
import { indexingText } from './IndexingNotice';
import { RestorePreviewView } from './RestorePreviewView';

export interface RestoreWizardProps {
  opened: boolean;
  onClose: () => void;
  hostId: string;
  hostname: string;
  snapshotId: string;
  repositoryId: string | null;
  /** Absolute paths inside the snapshot. */
  paths: string[];
}

const STEPS = 5;

interface PreviewStepProps {
  hostId: string;
  hostname: string;
  form: RestoreForm;
  snapshotId: string;
  repositoryId: string | null;
}

function PreviewStep({ hostId, hostname, form, snapshotId, repositoryId }: PreviewStepProps) {
  // The preview changes nothing, and the server applies the restore's confirmations to it too:
  // it is asked as confirmed, and the confirmation step (after it) is what the restore checks.
  const body = buildRestoreBody({ ...form, confirmRisk: true, confirmHostname: hostname }, snapshotId, repositoryId);
  const preview = useRestorePreview(hostId, body, true);
  if (preview.isPending) {
    return (
      <Group gap="xs">
        <Loader size="sm" />
        <Text size="sm">Asking the agent what the restore would do…</Text>
      </Group>
    );
  }
  if (preview.error) {
    const conflict = preview.error instanceof ApiError && (preview.error.status === 409 || preview.error.status === 400);
    return (
      <Alert color={conflict ? 'yellow' : 'red'} variant="light" icon={<IconInfoCircle size={18} />} title="No preview" data-testid="preview-error">
        {errorMessage(preview.error)} You can still continue: the restore’s job reports what it did.
      </Alert>
    );
  }
  if (preview.data.indexing) {
    return (
      <Group gap="xs" data-testid="preview-indexing">
        <Loader size="sm" />
        <Text size="sm">{indexingText(preview.data.indexing)}</Text>
      </Group>
    );
  }
  return <RestorePreviewView preview={preview.data} />;
}

function WizardBody({ hostId, hostname, snapshotId, repositoryId, paths, onClose }: Omit<RestoreWizardProps, 'opened'>) {
  const navigate = useNavigate();
  const anywhere = usePermission('restores_anywhere');
  const [form, setForm] = useState<RestoreForm>(() => initialRestoreForm(paths));
  const [step, setStep] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  const shownStep = useRef(0);
  // A new step takes the focus to its first input (or to the button that goes on), so the
  // keyboard never stays on a control that is gone.
  useEffect(() => {
    if (shownStep.current === step) return;
    shownStep.current = step;
    const form = formRef.current;
    const first = form?.querySelector<HTMLElement>('[data-step-body] input:not([disabled]):checked, [data-step-body] input[type="text"], [data-step-body] input:not([type]), [data-step-body] textarea');
    (first ?? form?.querySelector<HTMLElement>('button[type="submit"]'))?.focus();
  }, [step]);
  const [showTargetErrors, setShowTargetErrors] = useState(false);
  const hosts = useRestoreHosts(anywhere && form.mode === 'other_host');
  const create = useCreateRestore(hostId);
  const set = <K extends keyof RestoreForm>(key: K, value: RestoreForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  const problems = targetProblems(form);
  const rules = confirmRules(form, hostname);
  const serverField = fieldOf(create.error);
  const fieldError = (field: string) => (serverField === field ? errorMessage(create.error) : undefined);
  const path = newTargetPath(form);
  const targetHostName = form.mode === 'other_host' ? (hosts.data?.items.find((h) => h.id === form.otherHostId)?.hostname ?? 'the other host') : hostname;

  const next = () => {
    if (step === 1 && Object.keys(problems).length > 0) {
      setShowTargetErrors(true);
      return;
    }
    setStep((s) => Math.min(s + 1, STEPS - 1));
  };
  const start = () => {
    if (!rules.ready) return;
    create.mutate(buildRestoreBody(form, snapshotId, repositoryId), {
      onSuccess: (job) => {
        onClose();
        void navigate(appPaths.job(job.id));
      },
    });
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (step < STEPS - 1) next();
    else start();
  };

  return (
    <form ref={formRef} onSubmit={onSubmit} data-testid="restore-wizard">
      <Stepper active={step} onStepClick={(s) => s < step && setStep(s)} size="sm" allowNextStepsSelect={false}>
        <Stepper.Step label="What" description="Paths">
          <Stack gap="sm" data-step-body>
            {form.paths.length === 0 ? (
              <Text size="sm">Everything this snapshot backed up.</Text>
            ) : (
              <Stack gap={2} data-testid="restore-paths">
                <Text size="sm" fw={600}>
                  {form.paths.length === 1 ? '1 path' : `${form.paths.length} paths`}, each with everything below it:
                </Text>
                {form.paths.map((p) => (
                  <Text key={p} size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                    {p}
                  </Text>
                ))}
              </Stack>
            )}
            <Textarea
              label="Exclude (optional)"
              description="restic --exclude patterns, one a line, e.g. *.log"
              autosize
              minRows={2}
              value={form.excludes}
              onChange={(e) => set('excludes', e.currentTarget.value)}
              error={fieldError('excludes')}
              data-testid="restore-excludes"
            />
          </Stack>
        </Stepper.Step>
        <Stepper.Step label="Where" description="Target">
          <Stack gap="sm" data-step-body>
            <Radio.Group value={form.mode} onChange={(v) => set('mode', v)} label="Restore to">
              <Stack gap="xs" mt={4}>
                <Radio value="new_path" label={`A new directory on ${hostname}`} data-testid="target-new" />
                {anywhere ? <Radio value="original" label={`The original location on ${hostname}`} data-testid="target-original" /> : null}
                {anywhere ? <Radio value="other_host" label="Another host" data-testid="target-other" /> : null}
              </Stack>
            </Radio.Group>
            {!anywhere ? (
              <Text size="xs" c="dimmed">
                Restoring to the original location or another host needs the permission to restore anywhere (admins).
              </Text>
            ) : null}
            {form.mode === 'other_host' ? (
              <>
                <Select
                  label="Host"
                  placeholder={hosts.isPending ? 'Loading hosts…' : 'Pick a host'}
                  searchable
                  data={(hosts.data?.items ?? []).filter((h) => h.id !== hostId).map((h) => ({ value: h.id, label: h.hostname }))}
                  value={form.otherHostId}
                  onChange={(v) => set('otherHostId', v)}
                  error={(showTargetErrors && problems.otherHostId) || fieldError('target_host_id')}
                  data-testid="target-host"
                />
                <Checkbox
                  label="Back to the files’ original paths on that host"
                  checked={form.otherOriginal}
                  onChange={(e) => set('otherOriginal', e.currentTarget.checked)}
                />
              </>
            ) : null}
            {path !== null ? (
              <TextInput
                label="Directory"
                description={`Files land under it with their full paths (${path || '/tmp/cairn-restore'}/etc/…). A new or empty directory appears whole at the end or not at all.`}
                value={form.newPath}
                onChange={(e) => set('newPath', e.currentTarget.value)}
                error={(showTargetErrors && problems.newPath) || fieldError('target')}
                data-autofocus
                data-testid="target-path"
              />
            ) : null}
            {path !== null && isSystemDir(path) ? (
              <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />}>
                {path} is a system directory: you will be asked to confirm.
              </Alert>
            ) : null}
          </Stack>
        </Stepper.Step>
        <Stepper.Step label="How" description="Options">
          <Stack gap="sm" data-step-body>
            <Radio.Group value={form.overwrite} onChange={(v) => set('overwrite', v)} label="When a file already exists">
              <Stack gap="xs" mt={4}>
                {OVERWRITE_CHOICES.map((c) => (
                  <Radio key={c.value} value={c.value} label={c.label} description={c.description} data-testid={`overwrite-${c.value}`} />
                ))}
              </Stack>
            </Radio.Group>
            <Checkbox
              label="Delete extra files"
              description="Remove what is under a restored directory but not in the snapshot."
              checked={form.deleteExtra}
              onChange={(e) => set('deleteExtra', e.currentTarget.checked)}
              data-testid="restore-delete-extra"
            />
            {form.deleteExtra ? (
              <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />}>
                Files that are not in the snapshot will be deleted{writesOriginal(form) ? ' at the original location: you will be asked to confirm' : ''}.
              </Alert>
            ) : null}
            <Checkbox
              label="Verify"
              description="Read every restored file back and compare it with the snapshot (slower)."
              checked={form.verify}
              onChange={(e) => set('verify', e.currentTarget.checked)}
              data-testid="restore-verify"
            />
          </Stack>
        </Stepper.Step>
        <Stepper.Step label="Preview">{step === 3 ? <PreviewStep hostId={hostId} hostname={hostname} form={form} snapshotId={snapshotId} repositoryId={repositoryId} /> : null}</Stepper.Step>
        <Stepper.Step label="Confirm">
          <Stack gap="sm" data-testid="restore-confirm" data-step-body>
            <Text size="sm">
              Restore {form.paths.length === 0 ? 'everything' : form.paths.length === 1 ? form.paths[0] : `${form.paths.length} paths`} on{' '}
              <b>{targetHostName}</b> {path === null ? 'to the original location' : `into ${path}`}, overwrite {form.overwrite.replace('_', ' ')}
              {form.deleteExtra ? ', deleting extra files' : ''}
              {form.verify ? ', verified' : ''}.
            </Text>
            {rules.needsHostname ? (
              <TextInput
                label={`Type ${hostname} to restore over the original files`}
                value={form.confirmHostname}
                onChange={(e) => set('confirmHostname', e.currentTarget.value)}
                error={fieldError('confirm_hostname') ?? (form.confirmHostname && !rules.hostnameOk ? 'That is not the host’s name.' : undefined)}
                autoComplete="off"
                data-autofocus
                data-testid="confirm-hostname"
              />
            ) : null}
            {rules.needsRisk || serverField === 'confirm_risk' ? (
              <Checkbox
                label={path !== null && isSystemDir(path) ? `Yes, restore into the system directory ${path}` : 'Yes, delete files that are not in the snapshot'}
                checked={form.confirmRisk}
                onChange={(e) => set('confirmRisk', e.currentTarget.checked)}
                error={fieldError('confirm_risk')}
                data-testid="confirm-risk"
              />
            ) : null}
            {create.error && !serverField ? <ErrorAlert error={create.error} title="The restore was refused" /> : null}
            {create.error && serverField && !['confirm_risk', 'confirm_hostname'].includes(serverField) ? (
              <Alert color="red" variant="light" title="Go back and fix">
                {errorMessage(create.error)}
              </Alert>
            ) : null}
          </Stack>
        </Stepper.Step>
      </Stepper>
      <Group justify="space-between" mt="lg">
        <Button variant="default" onClick={() => (step === 0 ? onClose() : setStep(step - 1))}>
          {step === 0 ? 'Cancel' : 'Back'}
        </Button>
        {step < STEPS - 1 ? (
          <Button type="submit" data-testid="restore-next">
            Next
          </Button>
        ) : (
          <Button type="submit" color={writesOriginal(form) ? 'red' : undefined} disabled={!rules.ready} loading={create.isPending} data-testid="restore-start">
            Start restore
          </Button>
        )}
      </Group>
    </form>
  );
}

export function RestoreWizard({ opened, ...props }: RestoreWizardProps) {
  const phone = useMediaQuery(PHONE_QUERY) ?? false;
  return (
    <Modal opened={opened} onClose={props.onClose} title="Restore" size="xl" fullScreen={phone}>
      {opened ? <WizardBody {...props} /> : null}
    </Modal>
  );
}
