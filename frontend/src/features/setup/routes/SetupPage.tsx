// /setup: first-run page, reachable only while the server reports setup_required.
import { Code, Text } from '@mantine/core';
import { useNavigate } from 'react-router';
import { AuthCard } from '@/components/AuthCard';
import { paths } from '@/lib/paths';
import { SetupForm } from '../components/SetupForm';

export function SetupPage() {
  const navigate = useNavigate();
  return (
    <AuthCard
      title="Welcome to Cairn"
      width={480}
      subtitle={
        <Text span inherit>
          Create the first administrator. The server printed a one-time setup token in its log and wrote it
          to <Code style={{ whiteSpace: 'nowrap' }}>data/setup-token</Code>.
        </Text>
      }
    >
      <SetupForm onSuccess={() => void navigate(paths.home(), { replace: true })} />
    </AuthCard>
  );
}
