// Pure helpers for a preflight's answer: the words for a report's state. (The agent's argv is
// shown as one shell line by `shellLine` from lib/shell.)
import type { PreflightReport } from '@/api/types';

/** The report's headline, said plainly. */
export function reportHeadline(report: Pick<PreflightReport, 'state' | 'agent_checked'>): string {
  switch (report.state) {
    case 'ready':
      return report.agent_checked
        ? 'Ready: the server and the agent found nothing to fix.'
        : 'The server found nothing to fix; the agent did not check it.';
    case 'warning':
      return report.agent_checked ? 'Warning: it runs, but look at what was found.' : 'Warning: the agent could not check it.';
    case 'blocked':
      return 'Blocked: it does not run until this is fixed.';
  }
}
