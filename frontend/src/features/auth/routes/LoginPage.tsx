// /login: the sign-in page; after success goes to `?next=` (same-site paths only) or home.
import { Text } from '@mantine/core';
import { useNavigate, useSearchParams } from 'react-router';
import { AuthCard } from '@/components/AuthCard';
import { safeNext, useServerInfo } from '@/lib/auth';
import { LoginForm } from '../components/LoginForm';

export function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const info = useServerInfo();
  const next = safeNext(params.get('next'));

  return (
    <AuthCard title="Sign in" subtitle="Manage your restic backups from one place.">
      {info.data && !info.data.local_login_enabled ? (
        <Text size="sm" c="dimmed">
          Password sign-in is turned off on this server.
        </Text>
      ) : (
        <LoginForm onSuccess={() => void navigate(next, { replace: true })} />
      )}
    </AuthCard>
  );
}
