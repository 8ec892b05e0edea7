// Root component: providers + browser router, and the session-expired handler wiring
// (clear cached data, go to /login?next=… once a refresh could not save the session).
import { createBrowserRouter, RouterProvider } from 'react-router';
import { setAuthFailureHandler } from '@/api/client';
import { paths } from '@/lib/paths';
import { createQueryClient } from './queryClient';
import { AppProviders } from './providers';
import { routes } from './router';

function createApp() {
  const queryClient = createQueryClient();
  const router = createBrowserRouter(routes);
  let redirecting = false;
  setAuthFailureHandler(() => {
    const { pathname, search } = router.state.location;
    if (redirecting || pathname === paths.login() || pathname === paths.setup()) return;
    redirecting = true;
    void router
      .navigate(paths.login(pathname + search), { replace: true })
      .then(() => queryClient.clear())
      .finally(() => {
        redirecting = false;
      });
  });
  return { queryClient, router };
}

// Created once per page load (outside React, so StrictMode's double render cannot fork it).
const { queryClient, router } = createApp();

export function App() {
  return (
    <AppProviders queryClient={queryClient}>
      <RouterProvider router={router} />
    </AppProviders>
  );
}
