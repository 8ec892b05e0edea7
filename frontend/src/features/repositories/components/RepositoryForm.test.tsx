// The repository form in the browser: nothing is sent until it is valid, variable names are
// checked, and an edit sends env_set / env_remove with the password left out when empty.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeServer, json, makeMe, makeRepository, renderWithProviders } from '@/test/utils';
import { RepositoryForm } from './RepositoryForm';

describe('RepositoryForm', () => {
  it('validates before sending, then creates', async () => {
    const server = fakeServer({
      'POST /api/v1/repositories': async (r) => {
        const body = (await r.json()) as { name: string; url: string; env: Record<string, string> };
        return json(201, makeRepository({ name: body.name, url: body.url, env_keys: Object.keys(body.env) }));
      },
    });
    vi.stubGlobal('fetch', server.fetch);
    const onDone = vi.fn();
    renderWithProviders(<RepositoryForm mode="create" onDone={onDone} onCancel={() => undefined} />, { me: makeMe('admin') });
    const user = userEvent.setup();

    await user.click(screen.getByRole('button', { name: 'Add repository' }));
    expect(await screen.findByText('Name is required')).toBeInTheDocument();
    expect(screen.getByText('URL is required')).toBeInTheDocument();
    expect(screen.getByText('Password is required')).toBeInTheDocument();

    await user.type(screen.getByLabelText(/^Name/), 'bucket');
    await user.type(screen.getByLabelText(/^URL/), 's3:s3.amazonaws.com/bucket');
    await user.type(screen.getByLabelText(/^Repository password/), 'hunter2hunter2');
    await user.click(screen.getByRole('button', { name: 'Add variable' }));
    await user.type(screen.getByLabelText('Variable 1 name'), '9lives');
    await user.type(screen.getByLabelText('Variable 1 value'), 'x');
    await user.click(screen.getByRole('button', { name: 'Add repository' }));
    expect(await screen.findByText('Use A–Z, 0–9 and _, not starting with a digit')).toBeInTheDocument();
    expect(server.calls('POST', '/api/v1/repositories')).toHaveLength(0);

    await user.clear(screen.getByLabelText('Variable 1 name'));
    // Typed lower case; names are upper-cased as you type.
    await user.type(screen.getByLabelText('Variable 1 name'), 'aws_access_key_id');
    await user.click(screen.getByRole('button', { name: 'Add repository' }));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    const sent = (await server.calls('POST', '/api/v1/repositories')[0]!.json()) as Record<string, unknown>;
    expect(sent).toEqual({
      name: 'bucket',
      url: 's3:s3.amazonaws.com/bucket',
      password: 'hunter2hunter2',
      env: { AWS_ACCESS_KEY_ID: 'x' },
    });
  });

  it('edit: empty password keeps it; removed and added variables become env_remove / env_set', async () => {
    const repo = makeRepository({ env_keys: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] });
    const server = fakeServer({
      [`PATCH /api/v1/repositories/${repo.id}`]: () => json(200, repo),
    });
    vi.stubGlobal('fetch', server.fetch);
    const onDone = vi.fn();
    renderWithProviders(<RepositoryForm mode="edit" repository={repo} onDone={onDone} onCancel={() => undefined} />, {
      me: makeMe('admin'),
    });
    const user = userEvent.setup();

    expect(screen.getByLabelText(/^New repository password/)).toHaveValue('');
    expect(screen.getByText('Leave empty to keep the current password.')).toBeInTheDocument();
    const existing = screen.getByTestId('existing-env');
    expect(existing).toHaveTextContent('AWS_ACCESS_KEY_ID');
    expect(existing).toHaveTextContent('AWS_SECRET_ACCESS_KEY');

    await user.click(within(existing).getByLabelText('Remove AWS_SECRET_ACCESS_KEY'));
    expect(screen.getByText('Will be removed: AWS_SECRET_ACCESS_KEY')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Add variable' }));
    await user.type(screen.getByLabelText('Variable 1 name'), 'AWS_DEFAULT_REGION');
    await user.type(screen.getByLabelText('Variable 1 value'), 'eu-west-1');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));

    await waitFor(() => expect(onDone).toHaveBeenCalled());
    const calls = server.calls('PATCH', `/api/v1/repositories/${repo.id}`);
    expect(calls).toHaveLength(1);
    expect(await calls[0]!.json()).toEqual({
      env_set: { AWS_DEFAULT_REGION: 'eu-west-1' },
      env_remove: ['AWS_SECRET_ACCESS_KEY'],
    });
  });
});
