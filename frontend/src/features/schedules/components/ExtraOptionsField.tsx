// The editor's "Extra restic options": one per line, with the server's allow-list below as
// buttons (each says what it does, the value it takes and the restic it needs). A flag is added
// whole; an option that takes a value is added as `--name=` with the cursor after it.
import { Button, Group, Stack, Text, Textarea, Tooltip } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useRef } from 'react';
import type { BackupOption } from '@/api/types';
import { lines } from '@/lib/backupRules';

/** What value an option takes, in words. */
export function valueHint(o: BackupOption): string {
  switch (o.value) {
    case 'none':
      return 'a flag, no value';
    case 'size':
      return 'a size, e.g. 500M or 2G';
    case 'integer':
      return o.min !== undefined && o.max !== undefined ? `a whole number from ${o.min} to ${o.max}` : 'a whole number';
    case 'word':
      return `one of ${(o.words ?? []).join(', ')}`;
    default:
      return 'a value';
  }
}

interface Props {
  value: string;
  onChange: (value: string) => void;
  error?: string | null;
  options: BackupOption[] | undefined;
  /** The allow-list could not be read (the field still works; the server judges). */
  optionsError: boolean;
}

export function ExtraOptionsField({ value, onChange, error, options, optionsError }: Props) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const present = new Set(lines(value).map((l) => l.split('=')[0]));

  const add = (o: BackupOption) => {
    const line = o.value === 'none' ? o.name : `${o.name}=`;
    const base = value.replace(/\s+$/, '');
    const next = base ? `${base}\n${line}` : line;
    onChange(next);
    // An option that takes a value: the cursor waits after its "=".
    requestAnimationFrame(() => {
      const el = ref.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(next.length, next.length);
    });
  };

  return (
    <Stack gap={6}>
      <Textarea
        ref={ref}
        label="Extra restic options"
        description="More restic backup options from the list below, one per line: --name or --name=value."
        placeholder={'--exclude-caches\n--exclude-larger-than=2G'}
        autosize
        minRows={2}
        maxRows={8}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        error={error}
      />
      {options && options.length > 0 ? (
        <Stack gap={4} data-testid="extra-option-suggestions">
          <Text size="xs" c="dimmed">
            Allowed options (anything else is refused). Click one to add it:
          </Text>
          <Group gap={6} wrap="wrap">
            {options.map((o) => {
              const help = `${o.help}; ${valueHint(o)}; restic ${o.since} or newer`;
              return (
                <Tooltip key={o.name} label={help} withArrow multiline w={280} events={{ hover: true, focus: true, touch: true }}>
                  <Button
                    size="compact-xs"
                    variant="light"
                    color="gray"
                    ff="monospace"
                    tt="none"
                    leftSection={<IconPlus size={12} />}
                    disabled={present.has(o.name)}
                    aria-label={`Add ${o.name}: ${help}`}
                    data-testid="extra-option-suggestion"
                    onClick={() => add(o)}
                  >
                    {o.name}
                  </Button>
                </Tooltip>
              );
            })}
          </Group>
        </Stack>
      ) : null}
      {optionsError ? (
        <Text size="xs" c="dimmed">
          The list of allowed options could not be read; the server still checks each one when you save.
        </Text>
      ) : null}
    </Stack>
  );
}
