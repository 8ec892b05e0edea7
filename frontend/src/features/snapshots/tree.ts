// Pure helpers of the snapshot browser and search: directory paths inside a snapshot (segments
// for the breadcrumbs, parent, child), and an entry's kind and mode as `ls -l` prints them.
import type { TreeEntry } from '@/api/types';

/** The directories from the root down to `path`: `/a/b` → `/`, `/a`, `/a/b` (each with its name). */
export function pathSegments(path: string): { name: string; path: string }[] {
  const parts = path.split('/').filter(Boolean);
  return [{ name: '/', path: '/' }, ...parts.map((name, i) => ({ name, path: `/${parts.slice(0, i + 1).join('/')}` }))];
}

/** The directory holding `path` (`/` for the root and its children). */
export function parentPath(path: string): string {
  const parts = path.split('/').filter(Boolean);
  return parts.length <= 1 ? '/' : `/${parts.slice(0, -1).join('/')}`;
}

/** The last name of `path` (`/` for the root). */
export function baseName(path: string): string {
  return path.split('/').filter(Boolean).at(-1) ?? '/';
}

/** `name` inside the directory `dir`. */
export function childPath(dir: string, name: string): string {
  return dir === '/' || dir === '' ? `/${name}` : `${dir.replace(/\/+$/, '')}/${name}`;
}

/** Kinds the server names (`TreeEntry.kind`), with the letter `ls -l` starts a line with. */
const TYPE_LETTER: Record<string, string> = { dir: 'd', file: '-', symlink: 'l', dev: 'b', chardev: 'c', fifo: 'p', socket: 's' };

/** What a kind is called in a sentence or a tooltip. */
export const KIND_LABEL: Record<string, string> = {
  dir: 'Folder',
  file: 'File',
  symlink: 'Symbolic link',
  dev: 'Block device',
  chardev: 'Character device',
  fifo: 'Named pipe',
  socket: 'Socket',
  other: 'Other',
};

export function kindLabel(kind: string): string {
  return KIND_LABEL[kind] ?? KIND_LABEL.other ?? kind;
}

/**
 * The mode as `ls -l` shows it: 493 (0755) of a directory → `drwxr-xr-x`. Set-user-id,
 * set-group-id and sticky bits show as s/S and t/T in the execute places.
 */
export function formatMode(mode: number, kind: string): string {
  const bit = (mask: number, letter: string) => ((mode & mask) !== 0 ? letter : '-');
  const exec = (mask: number, special: number, on: string, off: string) => {
    const x = (mode & mask) !== 0;
    if ((mode & special) !== 0) return x ? on : off;
    return x ? 'x' : '-';
  };
  return [
    TYPE_LETTER[kind] ?? '?',
    bit(0o400, 'r'),
    bit(0o200, 'w'),
    exec(0o100, 0o4000, 's', 'S'),
    bit(0o040, 'r'),
    bit(0o020, 'w'),
    exec(0o010, 0o2000, 's', 'S'),
    bit(0o004, 'r'),
    bit(0o002, 'w'),
    exec(0o001, 0o1000, 't', 'T'),
  ].join('');
}

/** The mode in octal, as chmod takes it: 420 → `0644`. */
export function octalMode(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}

/** Whether the browser opens this entry (a directory) rather than just listing it. */
export function isDir(entry: Pick<TreeEntry, 'kind'>): boolean {
  return entry.kind === 'dir';
}
