// /alerts/rules: every alert rule with its settings; an admin changes one at a time (each form
// saves on its own), everyone else reads them.
import { Anchor, Breadcrumbs, Skeleton, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { ErrorAlert } from '@/components/ErrorAlert';
import { PageHeader } from '@/components/PageHeader';
import { usePermission } from '@/lib/auth';
import { paths } from '@/lib/paths';
import { useAlertRules } from '../api';
import { RuleForm } from '../components/RuleForm';

export function AlertRulesPage() {
  const rules = useAlertRules();
  const canEdit = usePermission('alerts_configure');
  return (
    <Stack gap="md">
      <Breadcrumbs>
        <Anchor component={Link} to={paths.alerts()} size="sm">
          Alerts
        </Anchor>
        <Text size="sm">Rules</Text>
      </Breadcrumbs>
      <PageHeader
        mb={0}
        title="Alert rules"
        description={
          canEdit
            ? 'What raises an alert, how severe it is and at which thresholds. Each rule saves on its own; a change applies to the next finding.'
            : 'What raises an alert, how severe it is and at which thresholds. Only an admin can change them.'
        }
      />
      <ErrorAlert error={rules.error} title="Could not load the alert rules" />
      {rules.isPending ? (
        <Stack gap="md" aria-busy="true" aria-label="Loading the alert rules">
          <Skeleton height={160} />
          <Skeleton height={160} />
        </Stack>
      ) : null}
      {rules.data?.map((rule) => <RuleForm key={rule.rule} rule={rule} canEdit={canEdit} />)}
    </Stack>
  );
}
