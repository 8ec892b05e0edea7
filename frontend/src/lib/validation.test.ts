// Client rules against the server's declared ones (openapi/cairn.json): never looser.
import { describe, expect, it } from 'vitest';
import {
  MAX_PASSWORD_LENGTH,
  charCount,
  emailRule,
  hostTagsRule,
  maxLength,
  optionalDisplayNameRule,
  passwordRule,
  required,
  usernameRule,
} from './validation';

describe('lengths', () => {
  it('count characters as the server does, not UTF-16 units', () => {
    expect(charCount('😀😀')).toBe(2);
    // Six emoji are 12 UTF-16 units but only 6 characters: too short for the server.
    expect(passwordRule('😀'.repeat(6))).toMatch(/at least 12/);
    expect(passwordRule('x'.repeat(12))).toBeNull();
    expect(passwordRule('x'.repeat(MAX_PASSWORD_LENGTH + 1))).toMatch(/at most 1024/);
  });

  it('bound required and optional text', () => {
    expect(required('Name', 100)('')).toBe('Name is required');
    expect(required('Name', 100)('x'.repeat(100))).toBeNull();
    expect(required('Name', 100)('x'.repeat(101))).toBe('Name must be at most 100 characters');
    expect(maxLength('Note', 3)(' abc ')).toBeNull();
    expect(maxLength('Note', 3)('abcd')).toBe('Note must be at most 3 characters');
    expect(optionalDisplayNameRule('')).toBeNull();
    expect(optionalDisplayNameRule('x'.repeat(129))).toMatch(/at most 128/);
  });

  it('bound the email to 254 characters', () => {
    expect(emailRule('')).toBeNull();
    expect(emailRule('ada@example.com')).toBeNull();
    expect(emailRule(`${'a'.repeat(250)}@example.com`)).toMatch(/at most 254/);
    expect(emailRule('not-an-address')).toBe('Enter a valid email address');
  });
});

describe('usernameRule', () => {
  it('takes 2–64 of A–Z a–z 0–9 . _ - starting with a letter or digit', () => {
    expect(usernameRule('ada')).toBeNull();
    expect(usernameRule('A.d_a-1')).toBeNull();
    expect(usernameRule('a')).toMatch(/2–64/);
    expect(usernameRule('a'.repeat(65))).toMatch(/2–64/);
    expect(usernameRule('.ada')).toMatch(/starting with a letter or digit/);
    expect(usernameRule('ada lovelace')).toMatch(/2–64/);
  });
});

describe('hostTagsRule', () => {
  it('takes up to 32 tags of 1–64 letters, digits and - _ . : / =', () => {
    expect(hostTagsRule([])).toBeNull();
    expect(hostTagsRule(['web', 'env=prod', 'rack:a/1', 'Team_B.2-x'])).toBeNull();
    expect(hostTagsRule(['x'.repeat(64)])).toBeNull();
  });

  it('says which tag is wrong and why', () => {
    expect(hostTagsRule(['web', 'two words'])).toBe('Tag “two words” is not valid: use only letters, digits and - _ . : / = (no spaces)');
    expect(hostTagsRule(['café'])).toMatch(/“café” is not valid/);
    expect(hostTagsRule(['x'.repeat(65)])).toMatch(/too long: at most 64 characters/);
    expect(hostTagsRule(Array.from({ length: 33 }, (_, i) => `t${i}`))).toBe('At most 32 tags (33 entered)');
  });
});
