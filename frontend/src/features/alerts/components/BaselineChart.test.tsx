// The unusual-change picture: it reads a baseline from an alert's details (and nothing else),
// and shows each measure with its usual value and threshold (the larger of factor × usual and
// the floor), the crossed one marked.
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '@/test/utils';
import { BaselineChart, baselineOf } from './BaselineChart';

const details = {
  baseline: {
    change: { bytes_added: 500 * 1024 * 1024, files: 40_000 },
    median: { bytes_added: 2 * 1024 * 1024, files: 20 },
    runs: 14,
    factor: 5,
    min_bytes: 100 * 1024 * 1024,
    min_files: 1000,
    bytes_unusual: true,
    files_unusual: false,
  },
};

describe('BaselineChart', () => {
  it('reads a baseline only from details that carry one', () => {
    expect(baselineOf(details)?.runs).toBe(14);
    expect(baselineOf({ error_class: 'restic.locked' })).toBeUndefined();
    expect(baselineOf({ baseline: { change: { bytes_added: 'x' } } })).toBeUndefined();
    expect(baselineOf(null)).toBeUndefined();
  });

  it('shows this backup, the usual and the threshold, marking the measure that crossed it', () => {
    const b = baselineOf(details);
    if (!b) throw new Error('no baseline');
    renderWithProviders(<BaselineChart baseline={b} />);
    expect(screen.getByText(/median of its last 14 backups; more than 5× is unusual/)).toBeInTheDocument();
    const bytes = screen.getByTestId('baseline-bytes');
    expect(bytes).toHaveAttribute('data-unusual', 'true');
    expect(bytes).toHaveTextContent('500 MiB · usually 2.00 MiB · threshold 100 MiB');
    expect(screen.getByTestId('baseline-files')).toHaveAttribute('data-unusual', 'false');
    expect(screen.getByTestId('baseline-files')).toHaveTextContent('40,000 · usually 20 · threshold 1,000');
  });
});
