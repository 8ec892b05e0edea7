// Route table: public setup/login pages, then the signed-in shell with permission-gated pages.
import type { RouteObject } from 'react-router';
import { LoginPage } from '@/features/auth';
import { AuditPage } from '@/features/audit';
import { HomePage } from '@/features/home';
import { HostDetailPage, HostsPage } from '@/features/hosts';
import { JobDetailPage, JobsPage } from '@/features/jobs';
import { ProfilePage } from '@/features/profile';
import { RepositoriesPage } from '@/features/repositories';
import { SetupPage } from '@/features/setup';
import { UsersPage } from '@/features/users';
import { RequireAuth, RequirePermission, SetupGate } from './guards';
import { AppLayout } from './layout/AppLayout';
import { NotFoundPage } from './routes/NotFoundPage';
import { RouteError } from './routes/RouteError';

export const routes: RouteObject[] = [
  {
    element: <SetupGate />,
    errorElement: <RouteError />,
    children: [
      { path: 'setup', element: <SetupPage /> },
      { path: 'login', element: <LoginPage /> },
      {
        element: (
          <RequireAuth>
            <AppLayout />
          </RequireAuth>
        ),
        children: [
          { index: true, element: <HomePage /> },
          {
            path: 'hosts',
            element: (
              <RequirePermission permission="hosts_read" what="hosts">
                <HostsPage />
              </RequirePermission>
            ),
          },
          {
            path: 'hosts/:id',
            element: (
              <RequirePermission permission="hosts_read" what="hosts">
                <HostDetailPage />
              </RequirePermission>
            ),
          },
          {
            path: 'jobs',
            element: (
              <RequirePermission permission="hosts_read" what="jobs">
                <JobsPage />
              </RequirePermission>
            ),
          },
          {
            path: 'jobs/:id',
            element: (
              <RequirePermission permission="hosts_read" what="jobs">
                <JobDetailPage />
              </RequirePermission>
            ),
          },
          {
            path: 'repositories',
            element: (
              <RequirePermission permission="repos_read" what="repositories">
                <RepositoriesPage />
              </RequirePermission>
            ),
          },
          {
            path: 'users',
            element: (
              <RequirePermission permission="users_read" what="users">
                <UsersPage />
              </RequirePermission>
            ),
          },
          {
            path: 'audit',
            element: (
              <RequirePermission permission="audit_read" what="the audit log">
                <AuditPage />
              </RequirePermission>
            ),
          },
          { path: 'profile', element: <ProfilePage /> },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
];
