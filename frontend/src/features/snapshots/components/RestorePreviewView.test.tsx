// The restore preview: counts by action, bytes and free space, the red "does not fit" alert,
// and overwrites and deletions listed before creations.
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '@/test/utils';
import { RestorePreviewView } from './RestorePreviewView';

const preview = {
  bytes: 2048,
  create: 3,
  overwrite: 1,
  keep: 7,
  delete: 2,
  elapsed_ms: 12,
  fits: true,
  free_bytes: 10 * 1024 * 1024,
  paths: [
    { action: 'create' as const, path: '/srv/restore/a.txt', size: 10 },
    { action: 'delete' as const, path: '/srv/restore/old.txt', size: 5 },
    { action: 'overwrite' as const, path: '/srv/restore/b.txt', size: 20 },
  ],
};

describe('RestorePreviewView', () => {
  it('shows the counts, the space and the paths, overwrites and deletions first', () => {
    renderWithProviders(<RestorePreviewView preview={preview} />);
    expect(screen.getByTestId('preview-create')).toHaveTextContent('3');
    expect(screen.getByTestId('preview-overwrite')).toHaveTextContent('1');
    expect(screen.getByTestId('preview-keep')).toHaveTextContent('7');
    expect(screen.getByTestId('preview-delete')).toHaveTextContent('2');
    expect(screen.getByTestId('preview-space')).toHaveTextContent(/Writes 2\.00 KiB · 10\.0 MiB free on the target · fits/);
    expect(screen.queryByTestId('preview-no-space')).not.toBeInTheDocument();
    const actions = screen.getAllByTestId('preview-path').map((row) => row.getAttribute('data-action'));
    expect(actions).toEqual(['overwrite', 'delete', 'create']);
  });

  it('says in red when it does not fit', () => {
    renderWithProviders(<RestorePreviewView preview={{ ...preview, fits: false, free_bytes: 100 }} />);
    expect(screen.getByTestId('preview-no-space')).toHaveTextContent(/does not fit/i);
    expect(screen.getByTestId('preview-space')).not.toHaveTextContent('fits');
  });
});
