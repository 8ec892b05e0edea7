// What a restore would do, as the agent answered it: counts by action, bytes against free
// space (red when it does not fit) and the paths it listed, overwrites and deletions first.
import { Alert, Badge, Group, Paper, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { components } from '@/api/schema';
import { formatBytes, formatCount } from '@/lib/units';

type Preview = components['schemas']['RestorePreviewAnswer'];
type Action = components['schemas']['PreviewAction'];

const ORDER: Record<Action, number> = { overwrite: 0, delete: 1, create: 2, keep: 3 };
const COLOR: Record<Action, string> = { overwrite: 'orange', delete: 'red', create: 'teal', keep: 'gray' };

function Stat({ label, value, color }: { label: string; value: string; color?: string }) {
  return (
    <Paper withBorder radius="md" p="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fw={700} fz="lg" c={color} data-testid={`preview-${label.toLowerCase().replace(/\s+/g, '-')}`}>
        {value}
      </Text>
    </Paper>
  );
}

export function RestorePreviewView({ preview }: { preview: Preview }) {
  const listed = [...preview.paths].sort((a, b) => ORDER[a.action] - ORDER[b.action]);
  return (
    <Stack gap="sm" data-testid="restore-preview">
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="xs">
        <Stat label="Create" value={formatCount(preview.create)} />
        <Stat label="Overwrite" value={formatCount(preview.overwrite)} color={preview.overwrite > 0 ? 'orange' : undefined} />
        <Stat label="Keep" value={formatCount(preview.keep)} />
        <Stat label="Delete" value={formatCount(preview.delete)} color={preview.delete > 0 ? 'red' : undefined} />
      </SimpleGrid>
      <Text size="sm" data-testid="preview-space">
        Writes {formatBytes(preview.bytes)}
        {preview.free_bytes !== undefined ? ` · ${formatBytes(preview.free_bytes)} free on the target` : ''}
        {preview.fits ? ' · fits' : ''}
      </Text>
      {!preview.fits ? (
        <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title="It does not fit" data-testid="preview-no-space">
          The target’s filesystem has {formatBytes(preview.free_bytes ?? 0)} free and the restore needs {formatBytes(preview.bytes)} (with 5 % to
          spare). The restore would be refused: pick another directory or restore fewer paths.
        </Alert>
      ) : null}
      {listed.length > 0 ? (
        <Paper withBorder radius="md">
          <Table.ScrollContainer minWidth={0} mah={320}>
            <Table verticalSpacing={4} data-testid="preview-paths">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Action</Table.Th>
                  <Table.Th>Path</Table.Th>
                  <Table.Th style={{ textAlign: 'right' }}>Size</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {listed.map((p) => (
                  <Table.Tr key={`${p.action}:${p.path}`} data-testid="preview-path" data-action={p.action}>
                    <Table.Td>
                      <Badge color={COLOR[p.action]} variant="light" size="sm" style={{ minWidth: 'max-content' }}>
                        {p.action}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                        {p.path}
                      </Text>
                    </Table.Td>
                    <Table.Td style={{ textAlign: 'right', whiteSpace: 'nowrap' }}>
                      <Text size="sm">{formatBytes(p.size)}</Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      ) : (
        <Group>
          <Text size="sm" c="dimmed">
            Nothing listed.
          </Text>
        </Group>
      )}
    </Stack>
  );
}
