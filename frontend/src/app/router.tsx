// Route table: public setup/login pages, then the signed-in shell with permission-gated pages.
// Paths are the absolute patterns of lib/paths, the same ones every link is built from.
import type { RouteObject } from 'react-router';
import { AlertChannelsPage, AlertDetailPage, AlertRulesPage, AlertsPage } from '@/features/alerts';
import { LoginPage } from '@/features/auth';
import { AuditPage } from '@/features/audit';
import { HomePage } from '@/features/home';
import { HostsPage } from '@/features/hosts';
import { JobDetailPage, JobsPage } from '@/features/jobs';
import { ProfilePage } from '@/features/profile';
import { RepositoriesPage, RepositoryDetailPage } from '@/features/repositories';
import { SetupPage } from '@/features/setup';
import { SnapshotBrowserPage, SnapshotDiffPage, SnapshotSearchPage } from '@/features/snapshots';
import { SsoProvidersPage } from '@/features/sso';
import { UsersPage } from '@/features/users';
import { patterns } from '@/lib/paths';
import { RequireAuth, RequirePermission, SetupGate } from './guards';
import { AppLayout } from './layout/AppLayout';
import { HostPage } from './routes/HostPage';
import { NotFoundPage } from './routes/NotFoundPage';
import { RouteError } from './routes/RouteError';

export const routes: RouteObject[] = [
  {
    element: <SetupGate />,
    errorElement: <RouteError />,
    children: [
      { path: patterns.setup, element: <SetupPage /> },
      { path: patterns.login, element: <LoginPage /> },
      {
        element: (
          <RequireAuth>
            <AppLayout />
          </RequireAuth>
        ),
        children: [
          { index: true, element: <HomePage /> },
          {
            path: patterns.hosts,
            element: (
              <RequirePermission permission="hosts_read" onHosts what="hosts">
                <HostsPage />
              </RequirePermission>
            ),
          },
          {
            path: patterns.host,
            element: (
              <RequirePermission permission="hosts_read" onHosts what="hosts">
                <HostPage />
              </RequirePermission>
            ),
          },
          {
            path: patterns.snapshotSearch,
            element: (
              <RequirePermission permission="snapshots_read" onHosts what="snapshots">
                <SnapshotSearchPage />
              </RequirePermission>
            ),
          },
          {
            path: patterns.snapshotDiff,
            element: (
              <RequirePermission permission="snapshots_read" onHosts what="snapshots">
                <SnapshotDiffPage />
              </RequirePermission>
            ),
          },
          {
            path: patterns.snapshot,
            element: (
              <RequirePermission permission="snapshots_read" onHosts what="snapshots">
                <SnapshotBrowserPage />
              </RequirePermission>
            ),
          },
          {
            path: patterns.jobs,
            element: (
              <RequirePermission permission="hosts_read" onHosts what="jobs">
                <JobsPage />
              </RequirePermission>
            ),
          },
          {
            path: patterns.job,
            element: (
              <RequirePermission permission="hosts_read" onHosts what="jobs">
                <JobDetailPage />
              </RequirePermission>
            ),
          },
          {
            path: patterns.repositories,
            element: (
              <RequirePermission permission="repos_read" onHosts what="repositories">
                <RepositoriesPage />
              </RequirePermission>
            ),
          },
          {
            path: patterns.repository,
            element: (
              <RequirePermission permission="repos_read" onHosts what="repositories">
                <RepositoryDetailPage />
              </RequirePermission>
            ),
          },
          {
            path: patterns.users,
            element: (
              <RequirePermission permission="users_read" what="users">
                <UsersPage />
              </RequirePermission>
            ),
          },
          {
            path: patterns.ssoProviders,
            element: (
              <RequirePermission permission="users_manage" what="single sign-on">
                <SsoProvidersPage />
              </RequirePermission>
            ),
          },
          {
            path: patterns.audit,
            element: (
              <RequirePermission permission="audit_read" what="the audit log">
                <AuditPage />
              </RequirePermission>
            ),
          },
          {
            path: patterns.alerts,
            element: (
              <RequirePermission permission="alerts_read" onHosts what="alerts">
                <AlertsPage />
              </RequirePermission>
            ),
          },
          {
            path: patterns.alertRules,
            element: (
              <RequirePermission permission="alerts_read" onHosts what="alert rules">
                <AlertRulesPage />
              </RequirePermission>
            ),
          },
          {
            path: patterns.alertChannels,
            element: (
              <RequirePermission permission="alerts_configure" what="notification channels">
                <AlertChannelsPage />
              </RequirePermission>
            ),
          },
          {
            path: patterns.alert,
            element: (
              <RequirePermission permission="alerts_read" onHosts what="alerts">
                <AlertDetailPage />
              </RequirePermission>
            ),
          },
          { path: patterns.profile, element: <ProfilePage /> },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
];
