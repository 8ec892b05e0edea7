// The restore and drill reports on the job page: counts, time, verification, and the tables of
// failed and skipped paths (with "the first n of m" when the list is capped).
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '@/test/utils';
import { DrillReportCard, formatMs, RestoreReportCard } from './RestoreReportCard';

const report = {
  target: '/tmp/cairn-restore',
  created: 12,
  overwritten: 2,
  skipped: 150,
  deleted: 0,
  dirs_created: 3,
  failed_count: 1,
  bytes: 1024,
  duration_ms: 1234,
  verified: true,
  failed: [{ path: '/tmp/cairn-restore/etc/shadow', reason: 'permission denied' }],
  skipped_paths: [{ path: '/tmp/cairn-restore/etc/hosts', reason: 'unchanged' }],
};

describe('RestoreReportCard', () => {
  it('shows the counts, the target and the failures with their reasons', () => {
    renderWithProviders(<RestoreReportCard report={report} />);
    expect(screen.getByTestId('report-target')).toHaveTextContent('/tmp/cairn-restore');
    expect(screen.getByTestId('report-created')).toHaveTextContent('12');
    expect(screen.getByTestId('report-failed')).toHaveTextContent('1');
    expect(screen.getByTestId('report-verified')).toHaveTextContent('verified');
    expect(within(screen.getByTestId('report-failed-table')).getByText('permission denied')).toBeInTheDocument();
    expect(screen.getByText(/the first 1 of 150/)).toBeInTheDocument();
    expect(screen.getByTestId('restore-report')).toHaveTextContent('in 1.2 s');
  });

  it('says verification was not asked for, rather than that it failed, when it was not', () => {
    renderWithProviders(<RestoreReportCard report={{ ...report, verified: undefined }} />);
    expect(screen.getByTestId('report-verified')).toHaveTextContent('verify not requested');
  });

  it('says when verification failed', () => {
    renderWithProviders(<RestoreReportCard report={{ ...report, verified: false, failed: [], failed_count: 0 }} />);
    expect(screen.getByTestId('report-verified')).toHaveTextContent('verification failed');
    expect(screen.queryByTestId('report-failed-table')).not.toBeInTheDocument();
  });
});

describe('DrillReportCard', () => {
  it('says how long the restore took and lists mismatches', () => {
    renderWithProviders(
      <DrillReportCard
        report={{ snapshot_id: 'c'.repeat(64), files: 20, bytes: 2048, restore_ms: 1200, verified: false, mismatches: [{ path: '/a', reason: 'size differs' }] }}
      />,
    );
    expect(screen.getByTestId('drill-summary')).toHaveTextContent('20 files');
    expect(screen.getByTestId('drill-summary')).toHaveTextContent('restored in 1.2 s');
    expect(within(screen.getByTestId('drill-mismatches')).getByText('size differs')).toBeInTheDocument();
  });

  it('formats times', () => {
    expect(formatMs(850)).toBe('850 ms');
    expect(formatMs(125_000)).toBe('2 min 5 s');
  });
});
