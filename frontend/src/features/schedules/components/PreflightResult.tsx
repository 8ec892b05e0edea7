// A preflight's answer as people read it: the state in one plain sentence, each finding (icon
// by severity), why the agent did not check when it did not, then what the agent would run:
// the command as one copyable shell line, restic's environment (secrets masked) and version.
import { Alert, Code, Stack, Text } from '@mantine/core';
import { IconCircleCheck, IconAlertTriangle, IconHandStop } from '@tabler/icons-react';
import type { PreflightReport } from '@/api/types';
import { CommandBlock } from '@/components/CommandBlock';
import { FindingsList, PREFLIGHT_STATE_META } from '@/components/FindingsList';
import { shellLine } from '@/lib/shell';
import { reportHeadline } from '../preflight';

const STATE_ICON = { ready: IconCircleCheck, warning: IconAlertTriangle, blocked: IconHandStop } as const;

export function PreflightResult({ report, stale = false }: { report: PreflightReport; stale?: boolean }) {
  const Icon = STATE_ICON[report.state];
  const command = report.command ?? [];
  const env = report.env ?? [];
  return (
    <Stack gap="sm" data-testid="preflight-report" data-state={report.state} data-stale={String(stale)} style={{ opacity: stale ? 0.6 : 1 }}>
      <Alert
        color={PREFLIGHT_STATE_META[report.state].color}
        variant="light"
        icon={<Icon size={18} />}
        p="xs"
        role="status"
        data-testid="preflight-state"
      >
        <Text size="sm" fw={600}>
          {reportHeadline(report)}
        </Text>
        {stale ? (
          <Text size="xs" c="dimmed">
            The schedule changed since this check; check again.
          </Text>
        ) : null}
      </Alert>
      {!report.agent_checked ? (
        <Text size="sm" c="dimmed" data-testid="preflight-not-checked">
          The agent did not check this schedule on its host; the findings below say why.
        </Text>
      ) : null}
      <FindingsList findings={report.findings} testId="preflight-findings" />
      {command.length > 0 ? (
        <Stack gap={4}>
          <Text size="sm" fw={600}>
            The command the agent would run
          </Text>
          <CommandBlock command={shellLine(command)} label="command" testId="preflight-command" />
        </Stack>
      ) : null}
      {env.length > 0 ? (
        <Stack gap={4}>
          <Text size="sm" fw={600}>
            Its environment
          </Text>
          <Code block fz="xs" data-testid="preflight-env" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
            {env.join('\n')}
          </Code>
        </Stack>
      ) : null}
      {report.restic_version ? (
        <Text size="xs" c="dimmed" data-testid="preflight-restic">
          restic {report.restic_version} on the host
        </Text>
      ) : null}
    </Stack>
  );
}
