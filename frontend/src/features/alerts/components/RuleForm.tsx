// One alert rule's settings as a small form: on/off, severity, its integer thresholds and a host
// tag, saved on its own (PUT); the server's refusal of a threshold or a tag shows under that input.
// Read-only for those who may not change rules.
import { Badge, Button, Card, Code, Group, NumberInput, Select, SimpleGrid, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconDeviceFloppy } from '@tabler/icons-react';
import { errorMessage, inputFor } from '@/api/errors';
import { ALERT_SEVERITIES, type AlertRule } from '@/api/types';
import { ErrorAlert } from '@/components/ErrorAlert';
import { RULE_LABEL, SEVERITY_META } from '@/lib/alerts';
import { notifySuccess } from '@/lib/notify';
import { HOST_TAG_PATTERN } from '@/lib/validation';
import { useUpdateAlertRule } from '../api';
import { RULE_INPUTS, paramLabel, rangeOf, ruleRequest, ruleValues, type RuleValues } from '../rules';

/** The server's description, its `backticked` threshold names set as code. */
function Described({ text }: { text: string }) {
  return (
    <>
      {text.split('`').map((part, i) =>
        i % 2 === 1 ? (
          <Code key={i} fz="xs">
            {part}
          </Code>
        ) : (
          part
        ),
      )}
    </>
  );
}

export function RuleForm({ rule, canEdit }: { rule: AlertRule; canEdit: boolean }) {
  const update = useUpdateAlertRule(rule.rule);
  const form = useForm<RuleValues>({
    initialValues: ruleValues(rule),
    validate: {
      hostTag: (tag) => (tag.trim() && !HOST_TAG_PATTERN.test(tag.trim()) ? 'Letters, digits and - _ . : / = only, at most 64' : null),
      params: (params) => {
        for (const [key, value] of Object.entries(params)) {
          if (value === '' || !Number.isInteger(Number(value))) return `${paramLabel(key)}: a whole number`;
          const range = rangeOf(rule, key);
          if (range && (Number(value) < range.min || Number(value) > range.max))
            return `${paramLabel(key)}: from ${range.min.toLocaleString()} to ${range.max.toLocaleString()}`;
        }
        return null;
      },
    },
  });
  const onField = inputFor(update.error, RULE_INPUTS) !== undefined;
  const keys = Object.keys(form.values.params);
  const save = form.onSubmit((values) =>
    update.mutate(ruleRequest(values), {
      onSuccess: (saved) => {
        form.setInitialValues(ruleValues(saved));
        form.setValues(ruleValues(saved));
        form.resetDirty(ruleValues(saved));
        notifySuccess(`${RULE_LABEL[saved.rule]}: saved.`);
      },
      onError: (error) => {
        const input = inputFor(error, RULE_INPUTS);
        if (input) form.setFieldError(input, errorMessage(error));
      },
    }),
  );

  return (
    <Card withBorder radius="md" padding="lg">
      <form noValidate onSubmit={save} aria-label={`${RULE_LABEL[rule.rule]} rule`} data-testid={`rules-form-${rule.rule}`}>
        <Stack gap="sm">
          <Group justify="space-between" align="flex-start" gap="sm" wrap="wrap">
            <Stack gap={2} style={{ flex: '1 1 260px', minWidth: 0 }}>
              <Group gap="xs">
                <Title order={3} fz="h4">
                  {RULE_LABEL[rule.rule]}
                </Title>
                <Text size="xs" c="dimmed" ff="monospace">
                  {rule.rule}
                </Text>
                {rule.customised ? (
                  <Badge size="xs" variant="light" color="grape">
                    customised
                  </Badge>
                ) : null}
              </Group>
              <Text size="sm" c="dimmed" data-testid="rule-description">
                <Described text={rule.description} />
              </Text>
            </Stack>
            <Switch
              label="Enabled"
              disabled={!canEdit}
              {...form.getInputProps('enabled', { type: 'checkbox' })}
            />
          </Group>
          {update.error && !onField ? <ErrorAlert error={update.error} title="Could not save the rule" /> : null}
          <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="sm">
            <Select
              label="Severity"
              data={[...ALERT_SEVERITIES].reverse().map((s) => ({ value: s, label: SEVERITY_META[s].label }))}
              allowDeselect={false}
              disabled={!canEdit}
              value={form.values.severity}
              onChange={(v) => v && form.setFieldValue('severity', v)}
            />
            {keys.map((key) => {
              const range = rangeOf(rule, key);
              return (
                <NumberInput
                  key={key}
                  label={paramLabel(key)}
                  description={
                    range
                      ? `From ${range.min.toLocaleString()} to ${range.max.toLocaleString()} (default ${range.default.toLocaleString()})`
                      : 'A whole number'
                  }
                  min={range?.min}
                  max={range?.max}
                  allowDecimal={false}
                  allowNegative={false}
                  clampBehavior="none"
                  disabled={!canEdit}
                  value={form.values.params[key]}
                  onChange={(v) => {
                    form.setFieldValue(`params.${key}`, v);
                    form.clearFieldError('params');
                  }}
                  error={form.errors.params ? true : undefined}
                  data-testid={`rule-param-${key}`}
                />
              );
            })}
            <TextInput
              label="Only hosts tagged"
              description="Empty: every host"
              placeholder="e.g. production"
              disabled={!canEdit}
              autoCapitalize="off"
              autoCorrect="off"
              spellCheck={false}
              {...form.getInputProps('hostTag')}
            />
          </SimpleGrid>
          {form.errors.params ? (
            <Text size="sm" c="red" role="alert" data-testid="rule-params-error">
              {form.errors.params}
            </Text>
          ) : null}
          {canEdit ? (
            <Group justify="flex-end">
              <Button type="submit" leftSection={<IconDeviceFloppy size={16} />} loading={update.isPending} disabled={!form.isDirty()}>
                Save
              </Button>
            </Group>
          ) : null}
        </Stack>
      </form>
    </Card>
  );
}
