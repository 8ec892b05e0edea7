// Local ESLint rule: a module under src/features/<a>/ must not import from src/features/<b>/.
// Resolves relative and `@/` imports to real paths, so `../users/api` is caught as well as `@/features/users`.
import path from 'node:path';

/** @param {string} file absolute path; @returns {string | null} the feature a path belongs to */
function featureOf(file, srcDir) {
  const rel = path.relative(srcDir, file);
  if (rel.startsWith('..')) return null;
  const parts = rel.split(path.sep);
  return parts[0] === 'features' && parts.length > 1 ? parts[1] : null;
}

/** @type {import('eslint').Rule.RuleModule} */
export const featureBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Features must not import each other; share code through src/components, src/lib or src/api.' },
    schema: [{ type: 'object', properties: { srcDir: { type: 'string' } }, additionalProperties: false }],
    messages: {
      crossFeature: 'Feature "{{from}}" must not import from feature "{{to}}" ({{source}}). Move shared code to src/components, src/lib or src/api.',
    },
  },
  create(context) {
    const srcDir = path.resolve(context.options[0]?.srcDir ?? path.join(context.cwd, 'src'));
    const filename = context.filename;
    const from = featureOf(filename, srcDir);
    if (!from) return {};
    /** @param {import('estree').Node & {source?: any}} node */
    function check(node) {
      const source = node.source && typeof node.source.value === 'string' ? node.source.value : null;
      if (!source) return;
      let target;
      if (source.startsWith('@/')) target = path.join(srcDir, source.slice(2));
      else if (source.startsWith('.')) target = path.resolve(path.dirname(filename), source);
      else return;
      const to = featureOf(target, srcDir);
      if (to && to !== from) {
        context.report({ node, messageId: 'crossFeature', data: { from, to, source } });
      }
    }
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default { rules: { 'feature-boundaries': featureBoundaries } };
