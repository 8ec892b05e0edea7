// Unit test of the local feature-boundaries ESLint rule, run by Vitest through ESLint's RuleTester.
// @vitest-environment node
import { RuleTester } from 'eslint';
import { afterAll, describe, it } from 'vitest';
import { featureBoundaries } from './feature-boundaries.js';

RuleTester.afterAll = afterAll;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const srcDir = '/proj/src';
const tester = new RuleTester({ languageOptions: { ecmaVersion: 2022, sourceType: 'module' } });

tester.run('feature-boundaries', featureBoundaries, {
  valid: [
    { filename: '/proj/src/features/users/routes/UsersPage.tsx', code: "import { x } from '../api';", options: [{ srcDir }] },
    { filename: '/proj/src/features/users/routes/UsersPage.tsx', code: "import { x } from '@/features/users/api';", options: [{ srcDir }] },
    { filename: '/proj/src/features/users/api.ts', code: "import { x } from '@/lib/auth';", options: [{ srcDir }] },
    { filename: '/proj/src/app/router.tsx', code: "import { x } from '@/features/users';", options: [{ srcDir }] },
    { filename: '/proj/src/features/users/api.ts', code: "import { x } from 'react';", options: [{ srcDir }] },
  ],
  invalid: [
    { filename: '/proj/src/features/users/api.ts', code: "import { x } from '@/features/audit/api';", options: [{ srcDir }], errors: [{ messageId: 'crossFeature' }] },
    { filename: '/proj/src/features/users/routes/UsersPage.tsx', code: "import { x } from '../../profile';", options: [{ srcDir }], errors: [{ messageId: 'crossFeature' }] },
    { filename: '/proj/src/features/users/index.ts', code: "export * from '../auth/api';", options: [{ srcDir }], errors: [{ messageId: 'crossFeature' }] },
  ],
});
